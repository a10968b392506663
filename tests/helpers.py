"""Helpers shared by the integration and DAG tests."""

from __future__ import annotations

import psycopg

from tests.conftest import ORDER_TABLES


def table_checksums(conn: psycopg.Connection, tables: tuple[str, ...] = ORDER_TABLES) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every row's text, in a stable order, per table."""
    out = {}
    for table in tables:
        count, digest = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
        ).fetchone()
        out[table] = (count, digest)
    return out
