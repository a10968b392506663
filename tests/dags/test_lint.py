"""Ruff is clean, as `make lint` checks it: lint, the Airflow AIR rules (incl. preview
rules for Airflow 3 idioms) and formatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = str(Path(sys.executable).with_name("ruff"))
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
