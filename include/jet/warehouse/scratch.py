"""Scratch warehouses for tests, benchmarks and the demo: create one beside the real one,
and empty its tables, append-only ones included.

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


def scratch_database(warehouse_url: str, suffix: str, *, fresh: bool = False) -> str:
    """URL of ``<warehouse>_<suffix>`` on the same server, migrated: created if missing, or
    dropped and created again with ``fresh``."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    from jet.warehouse.migrate import migrate

    parts = urlsplit(warehouse_url)
    name = f"{parts.path.lstrip('/')}_{suffix}"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    migrate(url)
    return url


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
