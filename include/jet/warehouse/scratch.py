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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg


_REFUSING_TRIGGERS = """
SELECT t.tgrelid::regclass::text, t.tgname
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE p.proname = 'refuse_change' AND p.pronamespace = 'jet'::regnamespace AND t.tgenabled <> 'D'
"""


def scratch_database(warehouse_url: str, suffix: str, *, fresh: bool = False, durable: bool = True) -> str:
    """URL of ``<warehouse>_<suffix>`` on the same server, migrated: created if missing, or
    dropped and created again with ``fresh`` (see :func:`scratch_database_at`)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(warehouse_url)
    url = urlunsplit((parts.scheme, parts.netloc, f"{parts.path}_{suffix}", "", ""))
    return scratch_database_at(url, fresh=fresh, durable=durable)


def scratch_database_at(url: str, *, fresh: bool = False, durable: bool = True) -> str:
    """The database ``url`` names, migrated: created if missing, or dropped and created
    again with ``fresh``; ``url``.

    ``durable=False``: its commits do not wait for the disk (``synchronous_commit = off``).
    For a throwaway database that a long run (the demo, a chaos campaign) writes
    thousands of times: a crash loses the last moments, never consistency, and every
    committed transaction is still visible to every session at once, which is all that
    exactly-once needs; on a shared 2-core box the flushes would be most of the wall time.
    """
    from jet.sql import read_composed
    from jet.warehouse.migrate import migrate

    name = database_name(url)
    with admin_connection(url) as conn:
        if fresh:
            drop_database(conn, name)
        if not database_exists(conn, name):
            create_database(conn, name)
        change = "warehouse_scratch_durable.sql" if durable else "warehouse_scratch_throwaway.sql"
        conn.execute(read_composed(change, database=_identifier(name)))
    migrate(url)
    return url


def database_name(url: str) -> str:
    """The database a libpq URL names."""
    from urllib.parse import urlsplit

    return urlsplit(url).path.lstrip("/")


def admin_connection(url: str) -> psycopg.Connection:
    """An autocommit connection to the ``postgres`` database of ``url``'s server (creating
    and dropping databases cannot run in a transaction)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url.replace("+psycopg", "", 1))
    return psycopg.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")), autocommit=True)


def database_exists(admin: psycopg.Connection, name: str) -> bool:
    from jet.sql import read_sql

    return admin.execute(read_sql("warehouse_scratch_exists.sql"), {"name": name}).fetchone() is not None


def drop_database(admin: psycopg.Connection, name: str) -> None:
    """Drop ``name`` if it exists, ending the sessions still connected to it."""
    from jet.sql import read_composed

    admin.execute(read_composed("warehouse_scratch_drop.sql", database=_identifier(name)))


def create_database(admin: psycopg.Connection, name: str, template: str = "template1") -> None:
    """Create ``name`` as a copy of ``template`` (PostgreSQL's default: ``template1``)."""
    from jet.sql import read_composed

    admin.execute(
        read_composed("warehouse_scratch_create.sql", database=_identifier(name), template=_identifier(template))
    )


def _identifier(name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(name)


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
