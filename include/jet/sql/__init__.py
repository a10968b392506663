"""SQL kept in .sql files. Values are always bound as parameters, Jet's words too
(``%(vocab_...)s``, filled from the vocabulary by :func:`bind`: see :mod:`jet.sql.words`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.sql.words import PREFIX, words_of

if TYPE_CHECKING:
    import psycopg

_DIR = Path(__file__).parent


class MissingRow(RuntimeError):
    """A statement that always returns a row returned none: the warehouse is not the one
    this code was written for (a migration missing, or a function dropped by hand)."""


@cache
def read_sql(name: str) -> str:
    """The text of ``include/jet/sql/<name>``."""
    return (_DIR / name).read_text(encoding="utf-8")


def bind(name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The parameters of ``read_sql(name)``: the caller's ``params`` plus the Jet words its
    ``%(vocab_...)s`` placeholders name (:class:`jet.sql.words.UnknownWord` for a word the
    vocabulary mapping lacks). A caller's own parameter may not take the ``vocab_`` prefix:
    a Jet word is never the caller's to choose."""
    given = dict(params or {})
    taken = sorted(k for k in given if k.startswith(PREFIX))
    if taken:
        raise ValueError(f"{name}: parameters {taken} take the {PREFIX!r} prefix kept for Jet's words")
    return {**given, **words_of(name, read_sql(name))}


def execute(
    conn: psycopg.Connection[Any] | psycopg.Cursor[Any], name: str, params: Mapping[str, Any] | None = None
) -> psycopg.Cursor[Any]:
    """Execute ``include/jet/sql/<name>`` on ``conn`` (a connection or a cursor) with
    ``params`` and the Jet words it names (:func:`bind`); the cursor, to fetch from."""
    # No parameters at all: none passed, so psycopg leaves a literal % in the text alone.
    return conn.execute(read_sql(name), bind(name, params) or None)


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
