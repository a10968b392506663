"""One layout of the settlement columns, pinned on both sides of the wire.

The pipeline (``jet.settlement``) and the sandbox (``jet_sandbox``, which the product
never imports) each keep their copy of the SettlementDetails columns and of the report's
balance-detail keys; both must equal ``tests/fixtures/settlement-columns.json``, so a
column added on one side and not the other fails here, not in a reconciliation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jet.settlement import details
from jet.sql import read_sql
from jet_sandbox import state

pytestmark = pytest.mark.unit

FIXTURE = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "settlement-columns.json").read_text())


def test_the_pipeline_reads_the_fixture_layout() -> None:
    assert list(details.ID_COLUMNS) == FIXTURE["id_columns"]
    assert list(details.AMOUNT_COLUMNS) == FIXTURE["amount_columns"]
    assert list(details.REQUIRED_COLUMNS) == FIXTURE["id_columns"] + FIXTURE["amount_columns"]
    assert list(details.ORDER_BALANCE_DETAILS) == FIXTURE["order_balance_details"]
    assert list(details.RETURN_BALANCE_DETAILS) == FIXTURE["return_balance_details"]


def test_the_sandbox_serves_the_fixture_layout() -> None:
    assert list(state.CSV_ID_COLUMNS) == FIXTURE["id_columns"]
    assert list(state.CSV_AMOUNT_COLUMNS) == FIXTURE["amount_columns"]
    assert list(state.CSV_COLUMNS) == FIXTURE["id_columns"] + FIXTURE["amount_columns"] + FIXTURE["optional_columns"]
    assert list(state.ORDER_DETAIL_KEYS) == FIXTURE["order_balance_details"]
    assert list(state.RETURN_DETAIL_KEYS) == FIXTURE["return_balance_details"]


@pytest.mark.parametrize("name", ["settlement_lines_merge.sql", "settlement_unallocated.sql"])
def test_the_sql_does_not_list_the_amount_columns_again(name: str) -> None:
    text = read_sql(name)
    listed = [c for c in FIXTURE["amount_columns"] if re.search(rf"\b{c}\b", text)]
    assert listed == [], f"{name} names {listed}: use the {{amounts}} placeholders (details.amount_sql)"
    assert "{amounts" in text
