"""The 15-minute acknowledgement window: a simulated day of arrivals on the sandbox clock,
and the deadline alert for orders nobody answers."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from jet.decisions import tasks
from jet.decisions.deadlines import AcknowledgementDeadlineAtRisk
from tests.integration.decisions.conftest import run_at, set_settings

pytestmark = pytest.mark.integration


@pytest.mark.slow
def test_every_order_of_a_simulated_day_is_acknowledged_within_the_window(
    sandbox: Any, seeded: Any, decisions_db: Any, record_property: Any
) -> None:
    from bench.decisions_latency import simulate_day

    result = simulate_day(sandbox, arrivals_per_hour=30, hours=24)

    record_property("p50_minutes", result["p50_minutes"])
    record_property("p99_minutes", result["p99_minutes"])
    print(
        f"\nsimulated day: {result['orders_ready']} orders ready, p50 {result['p50_minutes']:.2f} min, "
        f"p99 {result['p99_minutes']:.2f} min, max {result['max_minutes']:.2f} min; "
        f"step wall p50 {result['step_wall_seconds_p50']:.3f}s max {result['step_wall_seconds_max']:.3f}s"
    )
    assert result["orders_ready"] > 500
    assert result["unanswered"] == []
    assert result["withdrawn"] == []
    assert result["max_minutes"] < 15
    assert result["p99_minutes"] <= 10, "at most one schedule interval on the sandbox clock"


def test_deadline_alert_fires_within_five_minutes_of_the_deadline(
    sandbox: Any, seeded: Any, pull: Any, decisions_db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    set_settings(decisions_db, auto_acknowledge=False)  # held orders wait for an operator
    held = sandbox.generate_orders(1, status="ready")[0]
    pull()
    tasks.run_cycle(run_at(sandbox))
    assert decisions_db.execute(
        "SELECT state, minutes_left FROM jet.orders_at_risk_at(%s)", (run_at(sandbox).observed_at,)
    ).fetchone() == ("held", 15)

    sandbox.advance(9 * 60)  # 6 minutes left: no alert yet
    assert tasks.check_deadlines(run_at(sandbox)) == {"at_risk": 0}

    sandbox.advance(60 + 30)  # 4.5 minutes left
    caplog.set_level(logging.ERROR, logger="jet.decisions.deadlines")
    with pytest.raises(AcknowledgementDeadlineAtRisk, match=held):
        tasks.check_deadlines(run_at(sandbox))
    assert any(held in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)

    # An undecided order is at risk too; once answered it is not.
    tasks.approve(run_at(sandbox, "jet_approve_order"), held)
    assert tasks.check_deadlines(run_at(sandbox)) == {"at_risk": 0}
    set_settings(decisions_db)
    late = sandbox.generate_orders(1, status="ready")[0]
    pull(offset=timedelta(0))
    with pytest.raises(AcknowledgementDeadlineAtRisk, match="undecided"):
        tasks.check_deadlines(run_at(sandbox, offset=timedelta(minutes=11)))
    tasks.run_cycle(run_at(sandbox))
    assert tasks.check_deadlines(run_at(sandbox, offset=timedelta(minutes=11))) == {"at_risk": 0}
    assert late
