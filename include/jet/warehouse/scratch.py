"""Empty tables of a scratch warehouse (tests, benchmarks), append-only ones included.

Append-only tables refuse TRUNCATE (migration 0035), and so does ``TRUNCATE jet.orders
CASCADE``, which reaches ``jet.order_notes``. A test or a benchmark that starts from empty
tables disables exactly those refusing triggers (the ones running ``jet.refuse_change``)
for the length of one transaction, which only the tables' owner may do: emptying history
is an administrator's deliberate act, never something a pipeline or an analyst can do.
Every other trigger still fires, so a TRUNCATE is seen by what listens for it (the P&L
queue asks for a full rebuild).
Never point this at a warehouse whose history you want to keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


_REFUSING_TRIGGERS = """
SELECT t.tgrelid::regclass::text, t.tgname
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE p.proname = 'refuse_change' AND p.pronamespace = 'jet'::regnamespace AND t.tgenabled <> 'D'
"""


def empty(conn: psycopg.Connection, tables: Iterable[str]) -> None:
    """``TRUNCATE tables CASCADE`` past the append-only triggers, in one transaction."""
    from psycopg import sql

    names = [sql.Identifier(*name.split(".")) for name in tables]
    if not names:
        raise ValueError("no tables to empty")
    with conn.transaction():
        refusing = conn.execute(_REFUSING_TRIGGERS).fetchall()
        toggle = "ALTER TABLE {} {} TRIGGER {}"
        for table, trigger in refusing:
            conn.execute(sql.SQL(toggle).format(sql.SQL(table), sql.SQL("DISABLE"), sql.Identifier(trigger)))
        conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(names)))
        for table, trigger in refusing:
            conn.execute(sql.SQL(toggle).format(sql.SQL(table), sql.SQL("ENABLE"), sql.Identifier(trigger)))
