"""Bad data never stops the good (settlements): malformed reports and malformed detail
rows land beside a month of good ones in one run, against the history sandbox and a
scratch warehouse. Every report listed ends landed, quarantined or recorded unreadable;
a bad row is quarantined while the rest of its file lands; a re-run changes nothing; two
landings at once both succeed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from jet.runs import RunIdentity
from jet.settlement.tasks import fetch_settlements
from jet.settlement.window import settlement_window
from jet.warehouse.scratch import empty
from tests.helpers import table_checksums
from tests.integration.malformed import (
    SETTLEMENT_REPORT_VARIANTS,
    SETTLEMENT_ROW_VARIANTS,
    UNREADABLE,
    check_bad_one,
)
from tests.integration.settlement.conftest import ALL_TABLES, SANDBOX_NOW, all_settlement_ids, reset_warehouse

pytestmark = pytest.mark.integration

RUN = RunIdentity("jet_settlement", "backfill__isolation", datetime(2026, 3, 2, tzinfo=UTC))
MONTH = settlement_window(RUN.observed_at - timedelta(days=1), RUN.observed_at, lookback_days=31)
TABLES = (*ALL_TABLES, "jet.unreadable")


@pytest.fixture
def broken_month(settlement_env: Any, sdb: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The history sandbox with some reports and detail files broken (restored afterwards:
    the sandbox is shared by the settlement tests), a hook that gives up fast."""
    reset_warehouse(sdb, settlement_env)
    empty(sdb, ["jet.unreadable"])
    api = json.loads(__import__("os").environ["AIRFLOW_CONN_JET_API"])
    api["extra"].update(max_retries=1, backoff_base=0.01, backoff_max=0.02)
    monkeypatch.setenv("AIRFLOW_CONN_JET_API", json.dumps(api))
    touched: list[tuple[str, str]] = []
    yield settlement_env, touched
    for kind, sid in touched:
        settlement_env.set_raw(kind, sid, b"")


def _details(jet: httpx.Client, sid: str) -> tuple[list[str], list[dict[str, str]]]:
    report_id = jet.post("/reports/SettlementDetails", json={"settlement_report_id": sid}).json()["report_id"]
    url = jet.get(f"/reports/state/{report_id}").json()["report_url"]
    reader = csv.DictReader(io.StringIO(jet.get(url).text))
    return list(reader.fieldnames or []), list(reader)


def test_malformed_reports_and_rows_beside_a_month_of_good_ones(broken_month: Any, sdb: psycopg.Connection) -> None:
    sandbox, touched = broken_month
    ids = all_settlement_ids(sandbox)
    with sandbox.jet_client() as jet:
        reports = {sid: jet.get(f"/settlement/report/{sid}").json() for sid in ids}
        files = {sid: _details(jet, sid) for sid in ids}
    with_rows = [sid for sid in ids if len(files[sid][1]) >= 2]
    bad_reports = dict(zip(ids[-len(SETTLEMENT_REPORT_VARIANTS) :], SETTLEMENT_REPORT_VARIANTS, strict=True))
    good_reports = [sid for sid in ids if sid not in bad_reports]
    bad_files = dict(zip([s for s in with_rows if s in good_reports], SETTLEMENT_ROW_VARIANTS, strict=False))
    assert len(bad_files) == len(SETTLEMENT_ROW_VARIANTS)
    assert len(good_reports) >= 20
    bodies = {}
    for sid, variant in bad_reports.items():
        body = variant.build(reports[sid], reports[good_reports[0]])
        bodies[sid] = body
        sandbox.set_raw("settlement_report", sid, body if body is not None else b'{"errors": ["boom"]}',
                        status=200 if body is not None else 500)  # fmt: skip
        touched.append(("settlement_report", sid))
    expected_bad_rows: dict[str, list[int]] = {}
    for sid, row_variant in bad_files.items():
        built = row_variant.build(*files[sid])
        if built is None:
            sandbox.set_raw("settlement_details", sid, b"boom", status=500)
        else:
            sandbox.set_raw("settlement_details", sid, built[0])
            expected_bad_rows[sid] = built[1]
        touched.append(("settlement_details", sid))

    receipt = fetch_settlements(RUN, MONTH, now=SANDBOX_NOW)

    landed = {r[0] for r in sdb.execute("SELECT settlement_report_id FROM jet.settlement_reports")}
    assert landed == set(good_reports)
    quarantined = {
        r[0]: r[1:]
        for r in sdb.execute(
            "SELECT object_id, error_field, error, raw_body, raw_bytes FROM jet.quarantine WHERE kind = %s",
            ("settlement_report",),
        )
    }
    unreadable = {(r[0], r[1]): r[2] for r in sdb.execute("SELECT kind, object_id, error FROM jet.unreadable_now")}
    for sid, variant in bad_reports.items():
        check_bad_one(
            variant, sid, bodies[sid], quarantined,
            {k[1]: v for k, v in unreadable.items() if k[0] == "settlement_report"},
        )  # fmt: skip
    reports_unreadable = {k[1] for k in unreadable if k[0] == "settlement_report"}
    assert sorted([*landed, *quarantined, *reports_unreadable]) == sorted(ids), "every report ends somewhere"
    assert receipt["reports_unreadable"] == sum(v.outcome == UNREADABLE for v in SETTLEMENT_REPORT_VARIANTS)

    rows = {
        r[0]: r[1:]
        for r in sdb.execute(
            "SELECT object_id, error_field, error, raw_body, raw_bytes FROM jet.quarantine"
            " WHERE kind = 'settlement_line'"
        )
    }
    for sid, row_variant in bad_files.items():
        lines = sdb.execute("SELECT count(*) FROM jet.settlement_lines WHERE settlement_report_id = %s", (sid,))
        if sid not in expected_bad_rows:  # the file Jet would not serve
            assert ("settlement_details", sid) in unreadable
            assert row_variant.reason in unreadable["settlement_details", sid]
            assert lines.fetchone() == (0,)
            continue
        [line_no] = expected_bad_rows[sid]
        field, error, raw_body, raw_bytes = rows[f"{sid}#{line_no}"]
        assert (field, row_variant.reason in error) == (row_variant.field, True), (row_variant.name, field, error)
        assert "\x00" not in raw_body
        assert lines.fetchone() == (len(files[sid][1]) - 1,), f"{row_variant.name}: the rest of the file lands"
        if row_variant.name in ("nul_in_cell", "invalid_utf8_cell"):
            assert raw_bytes is not None, "the row is kept byte for byte"
    assert receipt["details_unreadable"] == 1
    good_files = [sid for sid in good_reports if sid not in bad_files]
    counts = dict(sdb.execute("SELECT settlement_report_id, count(*) FROM jet.settlement_lines GROUP BY 1").fetchall())
    assert all(counts.get(sid, 0) == len(files[sid][1]) for sid in good_files)

    before = table_checksums(sdb, TABLES)
    fetch_settlements(RUN, MONTH, now=SANDBOX_NOW)
    assert table_checksums(sdb, TABLES) == before, "a re-run changes nothing"

    # Two later runs at once (a backfill and the daily run) take turns and both succeed.
    empty(sdb, ["jet.settlement_reports", "jet.settlement_report_payloads", "jet.settlement_detail_files",
                "jet.settlement_lines"])  # fmt: skip
    runs = [RunIdentity("jet_settlement", f"manual__{n}", RUN.observed_at + timedelta(hours=n + 1)) for n in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [
            f.result(timeout=300) for f in [pool.submit(fetch_settlements, r, MONTH, now=SANDBOX_NOW) for r in runs]
        ]
    assert all(set(r["settlement_ids"]) >= set(good_reports) for r in results)
    assert {r[0] for r in sdb.execute("SELECT settlement_report_id FROM jet.settlement_reports")} == set(good_reports)
    assert sdb.execute("SELECT count(*) FROM jet.settlement_lines").fetchone()[0] == sum(
        len(files[s][1]) for s in good_files
    ) + sum(len(files[s][1]) - 1 for s in expected_bad_rows)


def test_a_row_the_database_refuses_is_quarantined_and_its_file_lands(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    from jet.settlement.details import parse_details
    from jet.settlement.land import DetailFile, land_details

    reset_warehouse(sdb, settlement_env)
    sid = all_settlement_ids(settlement_env)[-3]
    with settlement_env.jet_client() as jet:
        header, rows = _details(jet, sid)
    rows[0]["merchant_sku"] = "POISON"
    body = "\n".join([",".join(header), *(",".join(r[c] for c in header) for r in rows)]) + "\n"
    sdb.execute("ALTER TABLE jet.settlement_lines ADD CONSTRAINT test_refuses_poison CHECK (merchant_sku <> 'POISON')")
    try:
        counts = land_details(sdb, [DetailFile(parse_details(body, sid), body)], RUN)
    finally:
        sdb.execute("ALTER TABLE jet.settlement_lines DROP CONSTRAINT test_refuses_poison")
    assert counts == {"files": 1, "lines": len(rows) - 1, "quarantined_lines": 1, "refused_lines": 1}
    field, error = sdb.execute(
        "SELECT error_field, error FROM jet.quarantine WHERE object_id = %s", (f"{sid}#1",)
    ).fetchone()
    assert field == "jet.settlement_lines"
    assert "test_refuses_poison" in error
    assert sdb.execute(
        "SELECT count(*) FROM jet.settlement_lines WHERE settlement_report_id = %s", (sid,)
    ).fetchone() == (len(rows) - 1,)
    assert sdb.execute("SELECT bad_rows FROM jet.settlement_detail_files").fetchone() == (1,)
