"""Empty tables of a scratch warehouse (tests, benchmarks), append-only ones included.

Append-only tables refuse TRUNCATE (migration 0035), and so does ``TRUNCATE jet.orders
CASCADE``, which reaches ``jet.order_notes``. A test or a benchmark that starts from empty
tables runs its TRUNCATE with ``session_replication_role = replica``, which skips the
refusing triggers and which only a superuser may set: emptying history is an
administrator's deliberate act, never something a pipeline or an analyst can do.
Never point this at a warehouse whose history you want to keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


def empty(conn: psycopg.Connection, tables: Iterable[str]) -> None:
    """``TRUNCATE tables CASCADE`` past the append-only triggers, in one transaction."""
    from psycopg import sql

    names = [sql.Identifier(*name.split(".")) for name in tables]
    if not names:
        raise ValueError("no tables to empty")
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(names)))
