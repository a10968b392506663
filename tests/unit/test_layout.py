"""The tests mirror the source tree (tests/README.md): every directory under tests/unit
and tests/integration is a package of include/jet, at the same path."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "include" / "jet"
MIRRORED = ("unit", "integration")


def _test_packages() -> list[Path]:
    """Every directory below tests/unit and tests/integration that holds a file, relative to it
    (one left with only __pycache__ by a move is not in git, so it is not judged)."""
    found = []
    for kind in MIRRORED:
        top = ROOT / "tests" / kind
        dirs = [p for p in top.rglob("*") if p.is_dir() and "__pycache__" not in p.parts]
        found += [p.relative_to(top) for p in dirs if any(f.is_file() for f in p.iterdir())]
    return found


def mirror_gaps(source: Path, tests: list[Path]) -> list[str]:
    """The test directories that name no package of ``source`` (a directory with __init__.py)."""
    return sorted(str(rel) for rel in tests if not (source / rel / "__init__.py").is_file())


def test_every_test_directory_names_a_package_of_jet() -> None:
    tests = _test_packages()
    assert tests, "no test package found: the scan is looking in the wrong place"
    gaps = mirror_gaps(SOURCE, tests)
    assert not gaps, f"test directories naming no package of include/jet (see tests/README.md): {gaps}"


def test_a_directory_that_is_no_package_is_named(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "__init__.py").touch()
    (tmp_path / "templates").mkdir()  # a directory, but no package
    assert mirror_gaps(tmp_path, [Path("orders"), Path("statuses"), Path("templates")]) == ["statuses", "templates"]
