"""Whether the warehouse knows an order: the check every operator action starts with.

Notes, refunds, return completions and operator approve/cancel refuse an order the
warehouse has not landed (the refusal says to import it first); they all ask here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg


def is_known(conn: psycopg.Connection, merchant_order_id: str) -> bool:
    """True when ``jet.orders`` holds the order, in any status."""
    return conn.execute(read_sql("orders_known.sql"), {"merchant_order_id": merchant_order_id}).fetchone() is not None
