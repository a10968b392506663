"""The gates of `make lint` hold inside the suite: ruff (lint with the complexity limit,
the Airflow AIR rules incl. preview rules for Airflow 3 idioms, formatting) and mypy on
the product's package (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = str(Path(sys.executable).with_name("ruff"))
MYPY = str(Path(sys.executable).with_name("mypy"))
pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "args",
    [
        ["check", "."],
        ["check", "--preview", "--select", "AIR", "dags", "include", "plugins"],
        ["format", "--check", "."],
    ],
    ids=["lint", "airflow-rules", "format"],
)
def test_ruff_is_clean(args: list[str]) -> None:
    result = subprocess.run([RUFF, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_mypy_is_clean() -> None:
    result = subprocess.run([MYPY], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_the_gates_are_configured() -> None:
    """Someone loosening a gate has to do it here too, in plain sight."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"]
    assert lint["mccabe"]["max-complexity"] == 12
    assert config["tool"]["mypy"]["files"] == ["include/jet"]
    assert "mypy" in (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
