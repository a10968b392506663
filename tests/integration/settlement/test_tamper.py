"""Bad input never disappears: the docs sample report, a tampered CSV row, an imbalance."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from jet.runs import RunIdentity
from jet.settlement.details import parse_details
from jet.settlement.land import DetailFile, land_details, land_report
from jet.settlement.reconcile import reconcile
from tests.integration.settlement.conftest import reset_warehouse

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "jet-samples"  # public sample payloads, see its SOURCES.md


def run_at(hour: int) -> RunIdentity:
    return RunIdentity("jet_settlement", f"manual__{hour}", datetime(2026, 3, 2, hour, tzinfo=UTC))


def status(conn: psycopg.Connection, sid: str) -> tuple:
    return conn.execute(
        "SELECT status, csv_lines, quarantined_lines, unallocated_total FROM analytics.settlement_reconciliation"
        " WHERE settlement_report_id = %s",
        (sid,),
    ).fetchone()


def lines_total(conn: psycopg.Connection, sid: str) -> Decimal:
    return conn.execute(
        "SELECT sum(line_total) FROM jet.settlement_lines WHERE settlement_report_id = %s", (sid,)
    ).fetchone()[0]


def test_the_docs_sample_settlement_report_loads_and_its_balances_check_out(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    raw = (SAMPLES / "settlement_report_detail_response.json").read_bytes()
    landed = land_report(sdb, "002d7b66c1794190b3d2985826462893", raw, run_at(1))
    assert landed.report is not None
    row = sdb.execute(
        "SELECT settlement_state, is_final, settlement_date::text, period_end, order_balance, order_details_sum,"
        " return_balance, return_details_sum, jet_adjustment, settlement_value, balances_ok"
        " FROM jet.settlement_reports"
    ).fetchone()
    assert row[:3] == ("deposited", True, "2014-07-24")
    assert row[3] == datetime(2014, 7, 24, 23, 59, 59, 999999, tzinfo=UTC)
    assert row[4:] == (
        Decimal("4572.72"), Decimal("4572.72"), Decimal("-315.62"), Decimal("-315.62"),
        Decimal("0.00"), Decimal("4257.10"), True,
    )  # fmt: skip
    # Raw landing keeps the numbers exactly as served.
    payload = sdb.execute(
        "SELECT payload->'order_balance_details'->>'fixed_commission' FROM jet.settlement_report_payloads"
    ).fetchone()
    assert payload == ("-120.37",)
    assert status(sdb, "002d7b66c1794190b3d2985826462893")[0] == "awaiting_details"
    # Landing it again changes nothing; a report whose sums are off is flagged, not fixed.
    land_report(sdb, "002d7b66c1794190b3d2985826462893", raw, run_at(2))
    assert sdb.execute("SELECT count(*), min(updated_at) FROM jet.settlement_reports").fetchone() == (
        1,
        run_at(1).observed_at,
    )
    broken = raw.replace(b'"settlement_value": 4257.1', b'"settlement_value": 4257.2')
    land_report(sdb, "002d7b66c1794190b3d2985826462893", broken, run_at(3))
    assert sdb.execute("SELECT balances_ok FROM jet.settlement_reports").fetchone() == (False,)
    assert sdb.execute("SELECT count(*) FROM jet.settlement_report_payloads").fetchone() == (2,)


def test_an_invalid_report_body_is_quarantined_with_the_reason(settlement_env: Any, sdb: psycopg.Connection) -> None:
    reset_warehouse(sdb, settlement_env)
    raw = (SAMPLES / "settlement_report_detail_response.json").read_bytes().replace(b'"4572.72', b'"x')
    raw = raw.replace(b'"order_balance": 4572.72', b'"order_balance": "lots"')
    landed = land_report(sdb, "002d7b66c1794190b3d2985826462893", raw, run_at(1))
    assert landed.report is None
    assert sdb.execute("SELECT kind, object_id, error_field FROM jet.quarantine").fetchone() == (
        "settlement_report",
        "002d7b66c1794190b3d2985826462893",
        "order_balance",
    )
    assert sdb.execute("SELECT count(*) FROM jet.settlement_reports").fetchone() == (0,)


def _details(sandbox: Any, sid: str) -> str:
    with sandbox.jet_client() as jet:
        report_id = jet.post("/reports/SettlementDetails", json={"settlement_report_id": sid}).json()["report_id"]
        url = jet.get(f"/reports/state/{report_id}").json()["report_url"]
    return httpx.get(url, timeout=10).text


def test_a_tampered_row_is_quarantined_and_an_imbalance_lands_as_unallocated(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    sid = settlement_env.truth("settlements")["settlements"][-3]["settlement_report_id"]
    with settlement_env.jet_client() as jet:
        raw_report = jet.get(f"/settlement/report/{sid}").content
    land_report(sdb, sid, raw_report, run_at(1))
    value = sdb.execute("SELECT settlement_value FROM jet.settlement_reports").fetchone()[0]
    original = _details(settlement_env, sid)
    header, first, second, *rest = original.splitlines()
    assert first.split(",")[1] == "order"

    # 1. A tampered amount: the row is quarantined with the reason; the rest land.
    cells = first.split(",")
    row_amount = Decimal(cells[10]) + Decimal(cells[11]) + Decimal(cells[12]) + Decimal(cells[13])
    row_amount += Decimal(cells[14]) + Decimal(cells[15])
    cells[10] = cells[10] + "x"
    tampered = "\n".join([header, ",".join(cells), second, *rest]) + "\n"
    land_details(sdb, [DetailFile(parse_details(tampered, sid), tampered)], run_at(2))
    reconcile(sdb, [sid], run_at(2))
    quarantined = sdb.execute(
        "SELECT object_id, error_field, error, raw_body FROM jet.quarantine WHERE kind = 'settlement_line'"
    ).fetchall()
    assert len(quarantined) == 1
    assert quarantined[0][:2] == (f"{sid}#1", "merchant_price")
    assert "not a number" in quarantined[0][2]
    assert ",".join(cells) in quarantined[0][3]
    assert status(sdb, sid) == ("unallocated", len(rest) + 1, 1, row_amount)
    unallocated = sdb.execute(
        "SELECT balance, line_no, merchant_price, line_total FROM jet.settlement_lines"
        " WHERE settlement_report_id = %s AND transaction_type = 'unallocated'",
        (sid,),
    ).fetchall()
    assert unallocated == [("order", -1, Decimal(first.split(",")[10]), row_amount)]
    assert lines_total(sdb, sid) == value, "with the unallocated line the settlement still adds up"

    # 2. A deliberate imbalance in a valid row: one cent more revenue than the report says.
    cells = first.split(",")
    cells[10] = str(Decimal(cells[10]) + Decimal("0.01"))
    imbalanced = "\n".join([header, ",".join(cells), second, *rest]) + "\n"
    land_details(sdb, [DetailFile(parse_details(imbalanced, sid), imbalanced)], run_at(3))
    reconcile(sdb, [sid], run_at(3))
    assert status(sdb, sid) == ("unallocated", len(rest) + 2, 0, Decimal("-0.01"))
    off = sdb.execute(
        "SELECT balance, category, expected - detail_sum FROM jet.settlement_reconciliation"
        " WHERE settlement_report_id = %s AND difference <> 0",
        (sid,),
    ).fetchall()
    assert off == [("order", "merchant_price", Decimal("-0.01"))]
    assert lines_total(sdb, sid) == value

    # 3. The correct file arrives: the unallocated line goes, the settlement reconciles.
    land_details(sdb, [DetailFile(parse_details(original, sid), original)], run_at(4))
    result = reconcile(sdb, [sid], run_at(4))
    assert result["statuses"] == {"reconciled": 1}
    assert status(sdb, sid) == ("reconciled", len(rest) + 2, 0, Decimal("0"))
    assert lines_total(sdb, sid) == value
    assert sdb.execute("SELECT count(*) FROM jet.settlement_detail_files").fetchone() == (3,)
    # The quarantined row stays in quarantine: nothing is dropped.
    assert sdb.execute("SELECT count(*) FROM jet.quarantine WHERE kind = 'settlement_line'").fetchone() == (1,)


def test_an_unreadable_file_is_quarantined_whole_and_the_settlement_stays_unallocated(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    sid = settlement_env.truth("settlements")["settlements"][-4]["settlement_report_id"]
    with settlement_env.jet_client() as jet:
        land_report(sdb, sid, jet.get(f"/settlement/report/{sid}").content, run_at(1))
    body = "id,amount\n1,2.00\n"
    land_details(sdb, [DetailFile(parse_details(body, sid), body)], run_at(1))
    reconcile(sdb, [sid], run_at(1))
    assert sdb.execute("SELECT object_id, error_field FROM jet.quarantine").fetchone() == (
        f"{sid}#file",
        "settlement_report_id",
    )
    value = sdb.execute("SELECT settlement_value FROM jet.settlement_reports").fetchone()[0]
    assert status(sdb, sid)[0] == "unallocated"
    assert lines_total(sdb, sid) == value
