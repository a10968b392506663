"""Pure parts of the outbox policy: run keys, the timing derived from the client, the registry."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from jet.outbox import KINDS, Policy, kind
from jet.runs import RunIdentity

pytestmark = pytest.mark.unit
WHEN = datetime(2026, 3, 2, 15, 0, 0, 250_000, tzinfo=UTC)


def test_two_runs_in_the_same_second_have_different_keys_and_a_retry_the_same() -> None:
    # Manual runs without a logical date: keyed by the DAG run's id.
    first = RunIdentity("jet_add_order_note", "manual__2026-03-02T15:00:00.250000+00:00_aB3", WHEN, None, False)
    second = RunIdentity("jet_add_order_note", "manual__2026-03-02T15:00:00.250000+00:00_xY9", WHEN, None, False)
    assert first.run_key != second.run_key
    assert first.run_key == "jet_add_order_note/manual__2026-03-02T15:00:00.250000+00:00_aB3"
    retry = RunIdentity(first.dag_id, first.dag_run_id, first.observed_at, None, False)
    assert retry.run_key == first.run_key, "a retried task of the same run writes under the same key"
    # Runs with a logical date (one per DAG and date): the time, microseconds kept.
    a = RunIdentity("jet_orders", "scheduled__a", WHEN)
    b = RunIdentity("jet_orders", "scheduled__b", WHEN.replace(microsecond=750_000))
    assert (a.run_key, b.run_key) == ("jet_orders/20260302T150000.250000Z", "jet_orders/20260302T150000.750000Z")
    assert RunIdentity("jet_orders", "x", WHEN.replace(microsecond=0)).run_key == "jet_orders/20260302T150000Z"


def test_the_stale_limit_and_the_quiet_period_follow_from_the_clients_timeouts() -> None:
    settings = SimpleNamespace(
        connect_timeout=3.0, read_timeout=7.0, late_apply_seconds=11.0, write_budget_wait=2.0, max_concurrency=6
    )
    policy = Policy.for_client(SimpleNamespace(settings=settings))
    assert policy.stale_sending_seconds == 2.0 + 3.0 + 7.0 + 1.0
    assert policy.quiet_seconds == policy.stale_sending_seconds + 11.0
    assert policy.quiet_seconds > settings.read_timeout + settings.late_apply_seconds
    assert policy.max_workers == 6
    assert Policy().stale_sending_seconds < 300, "seconds from the timeouts, not a fixed 5 minutes"


def test_every_kind_says_how_to_send_read_back_and_judge() -> None:
    assert len(KINDS) == 10
    for name, spec in KINDS.items():
        assert spec.readback in ("order", "return", "refund", "inventory", "price"), name
        assert all(callable(f) for f in (spec.send, spec.judge, spec.validate)), name
    assert [n for n, k in KINDS.items() if k.acknowledgement] == ["acknowledge", "reject", "cancel"]
    assert kind("ship").ordered
    assert not kind("refund").ordered
    assert [n for n, k in KINDS.items() if k.subject == "sku"] == ["push_inventory", "push_price"]
    with pytest.raises(ValueError, match="unknown action kind 'push_archive'"):
        kind("push_archive")
