"""Connections to the warehouse.

Library functions take an open ``psycopg.Connection``; only tasks open one, through
the Airflow connection ``jet_warehouse`` (PostgresHook hands out psycopg 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jet.dag_defaults import WAREHOUSE_CONN_ID

if TYPE_CHECKING:
    import psycopg


def connect(conn_id: str = WAREHOUSE_CONN_ID, *, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg 3 connection to the warehouse named by an Airflow connection.

    Task bodies ask for ``autocommit=True``: each step then opens its own
    transaction(s), so a batch commits as a unit and nothing is left half-open.
    """
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
    conn.autocommit = autocommit
    return conn


def conninfo(conn_id: str = WAREHOUSE_CONN_ID) -> str:
    """libpq URL of the warehouse (for tools that want a URL, such as the migrator)."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    return PostgresHook(postgres_conn_id=conn_id).get_uri().replace("postgresql+psycopg://", "postgresql://", 1)
