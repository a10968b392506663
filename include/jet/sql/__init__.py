"""SQL kept in .sql files. Values are always bound as parameters."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_DIR = Path(__file__).parent


class MissingRow(RuntimeError):
    """A statement that always returns a row returned none: the warehouse is not the one
    this code was written for (a migration missing, or a function dropped by hand)."""


@cache
def read_sql(name: str) -> str:
    """The text of ``include/jet/sql/<name>``."""
    return (_DIR / name).read_text(encoding="utf-8")


def read_composed(name: str, **parts: Any) -> Any:
    """``read_sql(name)`` as a :class:`psycopg.sql.Composed`, each ``{part}`` placeholder
    filled with the given composable (identifiers, never values: values stay bound)."""
    from psycopg import sql

    return sql.SQL(read_sql(name)).format(**parts)


def one(row: tuple[Any, ...] | None, statement: str) -> tuple[Any, ...]:
    """``row`` (a ``fetchone()``) of a statement that always returns one; :class:`MissingRow`
    naming ``statement`` if it returned none."""
    if row is None:
        raise MissingRow(f"{statement} returned no row; is the warehouse migrated (make setup)?")
    return row
