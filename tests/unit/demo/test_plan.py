"""The demo's plan from DEMO_DAYS / DEMO_ORDERS_PER_HOUR, and the summary's pure parts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jet.demo import PeriodPlan, ledger_by_kind, plan_from_env, settlement_days
from jet.demo.plan import fraction

pytestmark = pytest.mark.unit


def test_the_default_plan_is_three_days_on_a_10_minute_beat() -> None:
    plan = plan_from_env({})
    assert plan.hours == 72
    assert plan.steps == 432
    assert plan.start.hour == 0
    assert plan.end - plan.start == timedelta(days=3)


def test_days_and_orders_per_hour_come_from_the_environment() -> None:
    plan = plan_from_env({"DEMO_DAYS": "1.5", "DEMO_ORDERS_PER_HOUR": " 60 "})
    assert (plan.hours, plan.orders_per_hour, plan.steps) == (36, 60, 216)
    assert plan.sandbox_config()["arrivals_per_hour"] == 60


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEMO_DAYS": "three"}, "DEMO_DAYS must be a number, not 'three'"),
        ({"DEMO_DAYS": "0"}, "DEMO_DAYS must be more than 0, not '0'"),
        ({"DEMO_ORDERS_PER_HOUR": "-5"}, "DEMO_ORDERS_PER_HOUR must be more than 0, not '-5'"),
    ],
)
def test_a_bad_setting_is_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")):
        plan_from_env(env)


def test_a_plan_needs_an_aware_start_and_returns_on_the_beat() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PeriodPlan(start=datetime(2026, 3, 2))  # noqa: DTZ001 - the naive start is the point
    with pytest.raises(ValueError, match="multiple of step_minutes"):
        PeriodPlan(returns_every_minutes=25)


def test_the_merchant_s_choices_are_stable_per_order() -> None:
    assert fraction("order-1", "ship") == fraction("order-1", "ship")
    assert fraction("order-1", "ship") != fraction("order-1", "refund")
    shares = [fraction(f"order-{i}", "ship") for i in range(2000)]
    assert all(0 <= x < 1 for x in shares)
    assert 0.03 < sum(x < 0.05 for x in shares) / len(shares) < 0.07  # about the plan's cancel share


def test_ledger_counts_by_kind_most_first() -> None:
    entries = [{"kind": k} for k in ("shipped", "acknowledge", "acknowledge", "refund", "acknowledge", "shipped")]
    assert list(ledger_by_kind(entries).items()) == [("acknowledge", 3), ("shipped", 2), ("refund", 1)]


def test_settlement_days_are_the_utc_days_of_the_period() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    whole = settlement_days(start, start + timedelta(days=3))
    assert (whole.first, whole.last) == (date(2026, 3, 2), date(2026, 3, 4))
    late = settlement_days(datetime(2026, 3, 2, 19, tzinfo=UTC), datetime(2026, 3, 3, 1, tzinfo=UTC))
    assert (late.first, late.last) == (date(2026, 3, 2), date(2026, 3, 3))


def test_cancels_after_acceptance_are_split_by_share_and_never_overlap() -> None:
    plan = PeriodPlan(directed_cancel_share=0.02, operator_cancel_share=0.03)
    fates = [plan.cancelled_after_ack(f"order-{i}") for i in range(5000)]
    assert set(fates) == {"jet", "operator", None}
    assert 0.01 < fates.count("jet") / len(fates) < 0.03
    assert 0.02 < fates.count("operator") / len(fates) < 0.04
    # One draw for both: an order's fate is one of them, the same every time.
    assert [plan.cancelled_after_ack(f"order-{i}") for i in range(5000)] == fates
    nobody = PeriodPlan(directed_cancel_share=0, operator_cancel_share=0)
    assert {nobody.cancelled_after_ack(f"order-{i}") for i in range(500)} == {None}


def test_the_operator_cancels_for_a_reason_jet_cancel_order_takes() -> None:
    from jet.api.vocabulary import CANCEL_REASONS

    plan = PeriodPlan()
    reasons = {plan.operator_reason(f"order-{i}") for i in range(300)}
    assert reasons == set(plan.operator_reasons)
    assert reasons <= set(CANCEL_REASONS)
    assert plan.operator_reason("order-1") == plan.operator_reason("order-1")
    with pytest.raises(ValueError, match=r"operator_reasons \['bored'\] are not cancel reasons"):
        PeriodPlan(operator_reasons=("customer_request", "bored"))
    with pytest.raises(ValueError, match="at least one reason"):
        PeriodPlan(operator_reasons=())
    with pytest.raises(ValueError, match="cannot pass 1"):
        PeriodPlan(directed_cancel_share=0.6, operator_cancel_share=0.5)
