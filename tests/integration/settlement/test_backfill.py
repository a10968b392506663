"""Re-runs and backfills change nothing; the DAG itself runs a day (dag.test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from jet.runs import RunIdentity
from jet.settlement.tasks import run_settlement
from jet.settlement.window import settlement_window
from tests.helpers import table_checksums
from tests.integration.settlement.conftest import ALL_TABLES, SANDBOX_NOW, reset_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def day_run(day: datetime, lookback_days: int = 7) -> dict[str, Any]:
    """What one scheduled run of jet_settlement does for the day starting at ``day``."""
    run = RunIdentity(dag_id="jet_settlement", dag_run_id=f"backfill__{day:%Y-%m-%d}", observed_at=day)
    window = settlement_window(day, day + timedelta(days=1), lookback_days)
    return run_settlement(run, window, now=SANDBOX_NOW)


def backfill(first: datetime, days: int) -> list[dict[str, Any]]:
    return [day_run(first + timedelta(days=i)) for i in range(days)]


def test_backfilling_a_week_twice_and_re_running_a_day_change_nothing(
    settlement_env: Any, sdb: psycopg.Connection
) -> None:
    reset_warehouse(sdb, settlement_env)
    first = backfill(datetime(2026, 2, 20, tzinfo=UTC), 7)
    # Each run covers its day plus the lookback: the week's reports plus the 7 days before.
    assert len(first[0]["fetched"]["settlement_ids"]) == 8
    assert all(r["reconciled"]["statuses"] == {"reconciled": 8} for r in first)
    assert first[0]["imported"]["missing"] > 0
    after_first = table_checksums(sdb, ALL_TABLES)
    assert after_first["jet.settlement_reports"][0] == 14
    assert after_first["jet.order_pnl"][0] > 100

    second = backfill(datetime(2026, 2, 20, tzinfo=UTC), 7)
    assert table_checksums(sdb, ALL_TABLES) == after_first
    assert all(r["imported"]["missing"] == 0 for r in second)
    assert all(r["pnl"]["orders_changed"] == 0 for r in second)
    # Final reports whose details are landed are not read again: only the three reports
    # after the week (02-27 .. 03-01, never landed) are read, to learn their period.
    assert second[-1]["fetched"]["reports_read"] == 3

    day_run(datetime(2026, 2, 23, tzinfo=UTC))
    assert table_checksums(sdb, ALL_TABLES) == after_first


def test_the_lookback_re_reads_a_report_until_it_is_final(settlement_env: Any, sdb: psycopg.Connection) -> None:
    reset_warehouse(sdb, settlement_env)
    # The last day of history (2026-03-01) is still 'submitted' at the sandbox's clock.
    result = day_run(datetime(2026, 3, 1, tzinfo=UTC), lookback_days=2)
    states = dict(sdb.execute("SELECT settlement_date::text, settlement_state FROM jet.settlement_reports").fetchall())
    assert states == {"2026-02-27": "deposited", "2026-02-28": "submitted", "2026-03-01": "submitted"}
    assert result["fetched"]["files"] == 3
    again = day_run(datetime(2026, 3, 1, tzinfo=UTC), lookback_days=2)
    # Read again: the two submitted reports, and the two listed days before the window that
    # were never landed (only their period tells they are out of it); not the deposited one.
    assert again["fetched"]["reports_read"] == 4
    assert again["fetched"]["files"] == 0, "unchanged reports do not fetch their details again"


@pytest.mark.dags
def test_the_dag_runs_one_day_with_a_fixed_set_of_tasks(
    settlement_env: Any, sdb: psycopg.Connection, dag_bag: Any
) -> None:
    reset_warehouse(sdb, settlement_env)
    dag = dag_bag.dags["jet_settlement"]
    run = dag.test(logical_date=datetime(2026, 2, 25, tzinfo=UTC), run_conf={"lookback_days": 1})
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {
        "fetch_settlements": "success",
        "import_missing_orders": "success",
        "reconcile": "success",
        "compute_pnl": "success",
    }
    # dag.test makes a manual run whose data interval is empty (start = end = the logical
    # date): it covers the day before, plus one day of lookback.
    rows = sdb.execute("SELECT settlement_date::text, status FROM analytics.settlement_reconciliation").fetchall()
    assert sorted(rows) == [("2026-02-23", "reconciled"), ("2026-02-24", "reconciled")]
    assert sdb.execute("SELECT count(*) FROM jet.order_pnl WHERE settlements > 0").fetchone()[0] > 20
