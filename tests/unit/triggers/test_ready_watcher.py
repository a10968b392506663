"""The ready-orders watcher's rules, without a triggerer: what it signals again, which
poll intervals it accepts, and how a run reads the ids its events carry."""

from __future__ import annotations

import pytest

from jet.failures import Refused
from jet.orders.events import signalled_ids
from jet.triggers.ready_orders import ReadyOrdersTrigger, SignalMemory, poll_seconds

pytestmark = pytest.mark.unit


def test_an_order_is_signalled_once_until_it_has_waited_resignal_after() -> None:
    memory = SignalMemory(resignal_after=60)
    assert memory.pick(["a", "b"], now=0) == ["a", "b"]
    assert memory.pick(["a", "b", "c"], now=10) == ["c"]  # a, b: signalled, their run is on its way
    assert memory.pick(["a", "b", "c"], now=59.9) == []
    assert memory.pick(["a", "b", "c"], now=60) == ["a", "b"]  # still not landed: their run failed or was lost


def test_a_landed_order_is_forgotten_and_signalled_afresh_if_it_shows_up_unlanded_again() -> None:
    memory = SignalMemory(resignal_after=60)
    assert memory.pick(["a"], now=0) == ["a"]
    assert memory.pick([], now=1) == []  # landed
    assert memory.pick(["a"], now=2) == ["a"]  # e.g. the warehouse was emptied: better twice than never


@pytest.mark.parametrize(
    ("value", "error"),
    [("0.5", "below 1 s"), (0, "below 1 s"), ("nan", "below 1 s"), ("fast", "not a number"), (None, "not a number")],
)
def test_poll_intervals_that_would_burn_the_budget_or_are_not_numbers_are_refused(value: object, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        poll_seconds(value, "connection jet_api ready_poll_seconds")
    assert poll_seconds("5", "x") == 5.0


def test_the_trigger_serializes_to_its_kwargs_and_refuses_bad_ones() -> None:
    trigger = ReadyOrdersTrigger(poll_interval=2, resignal_after=30)
    path, kwargs = trigger.serialize()
    assert path == "jet.triggers.ready_orders.ReadyOrdersTrigger"
    assert ReadyOrdersTrigger(**kwargs).serialize() == (path, kwargs)
    with pytest.raises(ValueError, match="below 1 s"):
        ReadyOrdersTrigger(poll_interval=0.1)
    with pytest.raises(ValueError, match="resignal_after"):
        ReadyOrdersTrigger(resignal_after=0)


def test_a_run_takes_the_ids_of_all_its_events_then_of_conf_once_each() -> None:
    events = [
        {"from_trigger": True, "payload": {"merchant_order_ids": ["a", "b"]}},
        {"from_trigger": True, "payload": {"merchant_order_ids": ["b", "c"]}},  # a duplicate event
        {},  # an event from elsewhere (e.g. a hand-made asset event) names nothing
    ]
    assert signalled_ids(events, {"merchant_order_ids": ["d", "a"]}) == ["a", "b", "c", "d"]
    assert signalled_ids([], {"merchant_order_ids": []}) == []


@pytest.mark.parametrize("bad", ["a", [1], [""], ["ok", None]])
def test_a_malformed_id_list_is_refused_naming_where_it_came_from(bad: object) -> None:
    with pytest.raises(Refused, match=r"asset event 1: merchant_order_ids must be a list"):
        signalled_ids([{"payload": {"merchant_order_ids": bad}}])
