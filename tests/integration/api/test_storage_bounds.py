"""The payload models' bounds are the warehouse's column types, read back from the catalog:
if a migration widens or narrows a column that landed Jet data goes into, this fails until
the models follow."""

from __future__ import annotations

import psycopg
import pytest

from jet.api.models import INTEGER_MAX, MONEY_LIMIT, MONEY_PRECISION, MONEY_SCALE, SMALLINT_MAX

pytestmark = pytest.mark.integration

#: Tables landed from Jet payloads, and the ones that sum them per order or settlement.
LANDED = (
    "orders", "order_items", "order_shipments", "returns", "return_items", "settlement_reports",
    "settlement_lines", "settlement_reconciliation", "order_pnl",
)  # fmt: skip
#: The largest value each integer type holds (PostgreSQL's documented ranges).
INTEGER_TYPES = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


def _columns(conn: psycopg.Connection) -> list[tuple[str, str, str, int | None, int | None]]:
    return conn.execute(
        "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale"
        " FROM information_schema.columns"
        " WHERE table_schema = 'jet' AND table_name = ANY(%s) AND data_type IN ('numeric', 'smallint', 'integer',"
        " 'bigint')",
        (list(LANDED),),
    ).fetchall()


def test_every_amount_column_is_the_numeric_the_models_bound(warehouse: psycopg.Connection) -> None:
    amounts = [(t, c, p, s) for t, c, dt, p, s in _columns(warehouse) if dt == "numeric"]
    assert len(amounts) > 50, "the landed tables hold the amounts"
    off = [(t, c, p, s) for t, c, p, s in amounts if (p, s) != (MONEY_PRECISION, MONEY_SCALE)]
    assert off == [], f"amount columns the models do not bound as numeric({MONEY_PRECISION}, {MONEY_SCALE})"
    assert MONEY_LIMIT == 10 ** (MONEY_PRECISION - MONEY_SCALE)


def test_every_count_column_holds_what_the_models_allow(warehouse: psycopg.Connection) -> None:
    counts = {(t, c): dt for t, c, dt, _, _ in _columns(warehouse) if dt != "numeric"}
    assert counts[("order_items", "quantity")] == "integer"
    assert counts[("order_items", "line_number")] == "smallint"
    assert INTEGER_TYPES["smallint"] == SMALLINT_MAX
    too_small = {
        k: dt for k, dt in counts.items() if k != ("order_items", "line_number") and INTEGER_TYPES[dt] < INTEGER_MAX
    }
    assert too_small == {}, "columns that cannot hold every count the models accept"
    assert INTEGER_TYPES["integer"] == INTEGER_MAX
