"""Pure parts of the settlement stage: CSV validation, the run's window, the report's sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from jet.api.models import SettlementReport, parse_payload
from jet.settlement.details import AMOUNT_COLUMNS, REQUIRED_COLUMNS, parse_details
from jet.settlement.land import report_params
from jet.settlement.window import is_final, settlement_window

pytestmark = pytest.mark.unit
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "jet-samples"
SID = "94f7146b3e7ca158e463158f3fb8579c"
HEADER = ",".join([*REQUIRED_COLUMNS, "description"])


def row(**values: str) -> str:
    base = {c: "0.00" for c in AMOUNT_COLUMNS}
    base.update(
        settlement_report_id=SID, transaction_type="order", transaction_date="2026-03-01T01:50:00.0000000Z",
        merchant_order_id="o1", reference_order_id="r1", order_item_id="i1", merchant_return_authorization_id="",
        refund_authorization_id="", merchant_sku="SKU-1", quantity="2", description="",
    )  # fmt: skip
    base.update(values)
    return ",".join(base[c] for c in [*REQUIRED_COLUMNS, "description"])


def test_valid_rows_are_typed_exactly() -> None:
    body = "\n".join([HEADER, row(merchant_price="44.32", jet_variable_commission="-6.65"), ""])
    parsed = parse_details(body, SID)
    assert parsed.bad == []
    assert parsed.data_rows == 1
    (line,) = parsed.lines
    assert line["line_no"] == 1
    assert line["merchant_price"] == Decimal("44.32")
    assert line["jet_variable_commission"] == Decimal("-6.65")
    assert line["quantity"] == 2
    assert line["transaction_date"] == datetime(2026, 3, 1, 1, 50, tzinfo=UTC)
    assert line["balance"] == "order"
    assert line["merchant_return_authorization_id"] is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"merchant_price": "12.3x"}, "merchant_price"),
        ({"tax": "1.234"}, "tax"),
        ({"quantity": "-1"}, "quantity"),
        ({"transaction_type": "sale"}, "transaction_type"),
        ({"transaction_date": "yesterday"}, "transaction_date"),
        ({"settlement_report_id": "another"}, "settlement_report_id"),
        ({"merchant_order_id": ""}, "merchant_order_id"),
        ({"transaction_type": "return"}, "merchant_return_authorization_id"),
        ({"merchant_price": "NaN"}, "merchant_price"),
    ],
)
def test_each_bad_row_is_returned_with_its_reason_and_the_others_flow(values: dict[str, str], field: str) -> None:
    body = "\n".join([HEADER, row(order_item_id="i0"), row(**values), row(order_item_id="i2")])
    parsed = parse_details(body, SID)
    assert [line["line_no"] for line in parsed.lines] == [1, 3]
    (bad,) = parsed.bad
    assert (bad.line_no, bad.field) == (2, field)
    assert bad.raw.startswith(HEADER)
    assert parsed.data_rows == 3


def test_adjustments_need_no_order_and_a_short_row_is_bad() -> None:
    adjustment = row(
        transaction_type="adjustment", merchant_order_id="", reference_order_id="", order_item_id="",
        merchant_sku="", quantity="0", jet_adjustment="-12.50", description="Jet fee correction",
    )  # fmt: skip
    parsed = parse_details("\n".join([HEADER, adjustment, "a,b,c"]), SID)
    assert parsed.lines[0]["jet_adjustment"] == Decimal("-12.50")
    assert parsed.lines[0]["merchant_order_id"] is None
    assert parsed.bad[0].field == "$"


def test_a_file_without_the_columns_is_one_quarantine_entry() -> None:
    parsed = parse_details("a,b\n1,2\n3,4\n", SID)
    assert parsed.lines == []
    assert [(b.line_no, b.field) for b in parsed.bad] == [(0, "settlement_report_id")]
    assert parsed.data_rows == 2


def test_the_same_bytes_hash_the_same() -> None:
    body = "\n".join([HEADER, row()])
    assert parse_details(body, SID).file_hash == parse_details(body.encode(), SID).file_hash
    assert parse_details(body, SID).lines[0]["row_hash"] == parse_details(body + "\n", SID).lines[0]["row_hash"]


def test_the_window_is_the_data_interval_reaching_back_by_the_lookback() -> None:
    start = datetime(2026, 2, 20, tzinfo=UTC)
    window = settlement_window(start, start + timedelta(days=1), lookback_days=7)
    assert (window.start, window.end) == (start - timedelta(days=7), start + timedelta(days=1))
    assert window.covers(datetime(2026, 2, 20, 23, 59, 59, 999999, tzinfo=UTC))
    assert not window.covers(start + timedelta(days=1))
    assert window.covers(datetime(2026, 2, 13, tzinfo=UTC))
    assert not window.covers(datetime(2026, 2, 12, 23, 59, tzinfo=UTC))
    # Jet lists relative to its clock; the listing reaches back to the window's start, capped.
    assert window.list_days(datetime(2026, 2, 21, tzinfo=UTC)) == 9
    assert window.list_days(datetime(2030, 1, 1, tzinfo=UTC)) == 365
    # A manual run without an interval covers the day before it.
    end = datetime(2026, 3, 2, 15, tzinfo=UTC)
    manual = settlement_window(end, end, lookback_days=0)
    assert (manual.start, manual.end) == (end - timedelta(days=1), end)
    with pytest.raises(ValueError, match="timezone"):
        settlement_window(datetime(2026, 3, 1), datetime(2026, 3, 2), 0)  # noqa: DTZ001


def test_final_states() -> None:
    assert is_final("deposited")
    assert is_final("Paid")
    assert not is_final("submitted")
    assert not is_final(None)
    assert not is_final("Rejected")


def test_the_docs_sample_report_obeys_jets_three_sum_rules() -> None:
    report = parse_payload(SettlementReport, (SAMPLES / "settlement_report_detail_response.json").read_bytes())
    params = report_params(report)
    order = sum(params[k] for k in params if k.startswith("order_") and k != "order_balance")
    returns = sum(params[k] for k in params if k.startswith("return_") and k != "return_balance")
    assert order == report.order_balance == Decimal("4572.72")
    assert returns == report.return_balance == Decimal("-315.62")
    assert report.order_balance + report.return_balance + report.jet_adjustment == report.settlement_value
    assert params["is_final"] is True
