"""Where the project keeps its files: the checkout's root, and folders under its
gitignored ``.local/`` that a setting can move elsewhere."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """``$JET_PROJECT_ROOT`` (the setup writes it, so Airflow's processes agree), else this checkout."""
    return Path(os.environ.get("JET_PROJECT_ROOT") or Path(__file__).resolve().parents[2])


def local_dir(setting: str, name: str) -> Path:
    """``$<setting>`` when set, else ``<project>/.local/<name>``."""
    base = os.environ.get(setting)
    return Path(base) if base else project_root() / ".local" / name
