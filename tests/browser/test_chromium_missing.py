"""Where Chromium is missing the browser tests are skipped with the install command, and
with CI=true they fail: a CI run can never pass without the browser tests having run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit

PROBE = """
from tests.browser.conftest import chromium_or_skip

def test_needs_chromium():
    chromium_or_skip()
"""


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 failed")])
def test_a_missing_chromium_skips_or_fails_in_ci(tmp_path: Path, ci: str, outcome: str) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = dict(os.environ, JET_CHROMIUM=str(tmp_path / "no-chromium"), CI=ci, PYTHONPATH=f"{ROOT}:{ROOT / 'include'}")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(probe)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert outcome in result.stdout, result.stdout[-2000:]
    assert "sudo apt-get install -y chromium" in result.stdout
