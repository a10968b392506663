"""SQL kept in .sql files. Values are always bound as parameters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DIR = Path(__file__).parent


@cache
def read_sql(name: str) -> str:
    """The text of ``include/jet/sql/<name>``."""
    return (_DIR / name).read_text(encoding="utf-8")
