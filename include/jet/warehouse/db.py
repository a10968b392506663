"""Connections to the warehouse.

Library functions take an open ``psycopg.Connection``; only tasks open one, through
the Airflow connection ``jet_warehouse`` (PostgresHook hands out psycopg 3).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from jet.dag_defaults import WAREHOUSE_CONN_ID

if TYPE_CHECKING:
    import psycopg


def connect(
    conn_id: str = WAREHOUSE_CONN_ID, *, autocommit: bool = False, actor: str | None = None
) -> psycopg.Connection:
    """A psycopg 3 connection to the warehouse named by an Airflow connection.

    Task bodies ask for ``autocommit=True``: each step then opens its own
    transaction(s), so a batch commits as a unit and nothing is left half-open.

    ``actor`` is the person the connection writes for (a manual run's triggering
    user, see :class:`jet.runs.RunIdentity`). It becomes the session setting
    ``jet.actor``, which the warehouse's triggers stamp on every note, refund and
    shipment request the session inserts, and name in the outbox's notes: every
    writer, Python or SQL, records who acted without passing the name down.
    """
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    # The provider types get_conn() as "psycopg2 or psycopg 3"; with psycopg 3 and
    # SQLAlchemy 2 installed (the lock has both) it hands out psycopg 3.
    conn = cast("psycopg.Connection", PostgresHook(postgres_conn_id=conn_id).get_conn())
    conn.autocommit = autocommit
    if actor:
        set_actor(conn, actor)
    return conn


@contextmanager
def warehouse_connection(conn: psycopg.Connection | None = None) -> Iterator[psycopg.Connection]:
    """``conn`` when the caller passed one (tests, the demo: it stays open, it is theirs),
    else a new autocommit connection (:func:`connect`) closed on the way out."""
    if conn is not None:
        yield conn
        return
    with connect(autocommit=True) as own:
        yield own


def set_actor(conn: psycopg.Connection, actor: str | None) -> None:
    """Make ``actor`` the session's ``jet.actor`` (None or blank clears it). Committed at
    once: a session setting made in a transaction that later rolls back would vanish."""
    from jet.sql import read_sql

    conn.execute(read_sql("warehouse_set_actor.sql"), {"actor": (actor or "").strip()})
    if not conn.autocommit:
        conn.commit()


def airflow_connection(url: str) -> str:
    """The Airflow connection ``jet_warehouse`` for a libpq URL, in JSON form (the value of
    ``AIRFLOW_CONN_JET_WAREHOUSE``): how tests, benchmarks and the demo point the tasks at
    a scratch warehouse."""
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = {
        "conn_type": "postgres",
        "host": parts.hostname,
        "port": parts.port or 5432,
        "login": parts.username,
        **({"password": parts.password} if parts.password else {}),
        "schema": parts.path.lstrip("/"),
    }
    return json.dumps(conn)


def conninfo(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """libpq URL of the warehouse (for tools that want a URL, such as the migrator)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    return PostgresHook(postgres_conn_id=conn_id).get_uri().replace("postgresql+psycopg://", "postgresql://", 1)
