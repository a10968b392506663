"""Folders under the project's ``.local/`` that a setting can move elsewhere."""

from __future__ import annotations

import os
from pathlib import Path


def local_dir(setting: str, name: str) -> Path:
    """``$<setting>`` when set, else ``<project>/.local/<name>`` (the project root from
    ``JET_PROJECT_ROOT``, which the setup writes, else this checkout's)."""
    base = os.environ.get(setting)
    if base:
        return Path(base)
    root = os.environ.get("JET_PROJECT_ROOT") or str(Path(__file__).resolve().parents[2])
    return Path(root) / ".local" / name
