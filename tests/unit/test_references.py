"""Every reference in the project points inside it: a contributor who clones the
repository can follow each one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("include", "dags", "docs", "scripts", "bench", "tests", "plugins")
SUFFIXES = {".py", ".sql", ".md", ".j2", ".sh", ".toml", ".txt", ".yaml", ".yml", ".cfg", ".js", ".css"}
# Built from parts so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(["design" + r"\.md", "jet-api-" + "reference", r"\.\./" + "shared", r"\bissues? #?\d+\b"])
)
#: Documents another change is writing; a link to one is fine until it exists.
PENDING_DOCS: set[str] = set()


def _files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for top in SCANNED:
        files += [p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return [p for p in files if p.is_file() and "__pycache__" not in p.parts]


def test_no_reference_points_outside_the_repository() -> None:
    bad = []
    for path in _files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not bad, "references outside the repository:\n" + "\n".join(bad)


def test_the_sections_the_code_cites_exist_in_jet_api_md() -> None:
    headings = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", (ROOT / "docs" / "jet-api.md").read_text(), re.M)
    cited: set[str] = set()
    for path in (ROOT / "include" / "jet" / "api").glob("*.py"):
        cited |= set(re.findall(r"§(\d+(?:\.\d+)?)", path.read_text()))
    for path in (ROOT / "include" / "jet_sandbox").glob("*.py"):
        cited |= set(re.findall(r"docs/jet-api\.md §(\d+(?:\.\d+)?)", path.read_text()))
    assert cited, "the reader found no citations"
    assert cited <= set(headings), f"cited but not in docs/jet-api.md: {sorted(cited - set(headings))}"


def test_links_between_documents_resolve() -> None:
    bad = []
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            resolved = (path.parent / target).resolve()
            if resolved.exists():
                assert target not in PENDING_DOCS, f"{target} exists now: remove it from PENDING_DOCS"
            elif target not in PENDING_DOCS:
                bad.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not bad, "links to missing files: " + "; ".join(bad)
