"""The order manager's reads: search, the order page's data, the timeline, the queues."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from jet.console import SearchFilters, SearchRefused, load_order, queue_counts, queue_rows, search_orders
from tests.integration.fulfillment.conftest import run_at, sandbox_now

pytestmark = pytest.mark.integration


def _found(conn: psycopg.Connection, sandbox: Any, **filters: Any) -> list[tuple[str, str | None]]:
    page = search_orders(conn, SearchFilters(**filters), sandbox_now(sandbox))
    return [(r.merchant_order_id, r.matched_on) for r in page.rows]


def test_search_finds_an_order_by_any_piece_of_it(
    sandbox: Any, place: Any, shipped: Any, cdb: psycopg.Connection
) -> None:
    oid = shipped(tracking="1ZCONSOLE0042")
    (other,) = place([{"merchant_sku": "SKU-C", "quantity": 1}])
    ref, email, name = cdb.execute(
        "SELECT o.reference_order_id, o.hash_email, c.name FROM jet.orders o JOIN jet.customers c USING (hash_email)"
        " WHERE merchant_order_id = %s",
        (oid,),
    ).fetchone()
    assert _found(cdb, sandbox, text=oid[5:15]) == [(oid, "order id")]
    assert _found(cdb, sandbox, text=ref[2:9]) == [(oid, "reference order id")]
    assert _found(cdb, sandbox, text=email.split("@")[0][3:11].upper()) == [(oid, "customer email")]
    assert (oid, "customer name") in _found(cdb, sandbox, text=name.lower())
    assert _found(cdb, sandbox, text="onsole004") == [(oid, "tracking number")]
    assert {o for o, _ in _found(cdb, sandbox, text="sku-")} == {oid, other}
    assert _found(cdb, sandbox, text="SKU-C") == [(other, "SKU")]
    return_id = sandbox.generate_return(oid)
    from jet.api.hook import JetHook
    from jet.returns import land_returns

    land_returns(cdb, JetHook(), run_at(sandbox, "jet_returns"))
    assert _found(cdb, sandbox, text=return_id[4:14]) == [(oid, "return id")]
    # The text is literal: a wildcard typed by the operator matches only itself.
    assert _found(cdb, sandbox, text="%") == []
    assert _found(cdb, sandbox, text="_") == []


def test_filters_paging_and_the_deadline_of_ready_orders(sandbox: Any, place: Any, cdb: psycopg.Connection) -> None:
    acked = place([{"merchant_sku": "SKU-A"}], count=3)
    ready = place([{"merchant_sku": "SKU-A"}], count=2, acknowledge=False)
    now = sandbox_now(sandbox)
    everything = search_orders(cdb, SearchFilters(), now, per_page=2)
    assert (everything.total, everything.pages, len(everything.rows), everything.has_next) == (5, 3, 2, True)
    last = search_orders(cdb, SearchFilters(), now, page=3, per_page=2)
    assert (len(last.rows), last.first, last.last, last.has_next) == (1, 5, 5, False)
    assert search_orders(cdb, SearchFilters(), now, page=9, per_page=2).total == 5  # past the end: still counted
    new = search_orders(cdb, SearchFilters(internal_status="new"), now)
    assert {r.merchant_order_id for r in new.rows} == set(ready)
    for row in new.rows:
        assert row.ack_deadline == row.ready_at + timedelta(minutes=15)
        assert row.ack_state == "undecided"
    acknowledged = search_orders(cdb, SearchFilters(internal_status="acknowledged"), now)
    assert {r.merchant_order_id for r in acknowledged.rows} == set(acked)
    assert all(r.ack_deadline is None for r in acknowledged.rows)
    day = now.date()
    assert search_orders(cdb, SearchFilters(placed_from=day, placed_to=day), now).total == 5
    assert search_orders(cdb, SearchFilters(placed_from=day + timedelta(days=1)), now).total == 0
    assert search_orders(cdb, SearchFilters(exception="open"), now).total == 0
    assert search_orders(cdb, SearchFilters(exception="none"), now).total == 5


def test_bad_filters_are_refused_naming_the_value() -> None:
    with pytest.raises(SearchRefused, match=r"status must be one of .* not 'lost'"):
        SearchFilters(internal_status="lost")
    with pytest.raises(SearchRefused, match="exception must be one of"):
        SearchFilters(exception="weird")
    with pytest.raises(SearchRefused, match="is after placed to"):
        SearchFilters(placed_from=date(2026, 3, 2), placed_to=date(2026, 3, 1))


def test_the_order_page_has_units_at_every_stage_and_a_dated_timeline(
    sandbox: Any, shipped: Any, cdb: psycopg.Connection
) -> None:
    oid = shipped()
    view = load_order(cdb, oid, sandbox_now(sandbox))
    assert view is not None
    units = {line.merchant_sku: (line.ordered, line.acknowledged, line.shipped, line.cancelled, line.open)
             for line in view.lines}  # fmt: skip
    assert units == {"SKU-A": (3, 3, 2, 0, 1), "SKU-B": (1, 1, 0, 0, 1)}
    assert view.header.internal_status == "partially shipped"
    assert view.open_units == 2
    assert view.shipped_units == 2
    (shipment,) = view.shipments
    assert (shipment["status"], shipment["tracking_number"], shipment["carrier"]) == (
        "confirmed",
        "1ZCONSOLE0001",
        "UPS",
    )
    assert [a.kind.split(":")[0] for a in view.actions] == ["ship"]
    assert view.actions[0].state == "applied"
    times = [e.at for e in view.timeline]
    assert times == sorted(times), "the timeline reads in time order"
    sides = {e.side for e in view.timeline}
    assert sides == {"jet", "ours"}
    bodies = [e.body for e in view.timeline]
    assert any("placed by the customer" in b for b in bodies)
    assert any(b.startswith("shipment ") and "recorded" in b for b in bodies)
    assert load_order(cdb, "0" * 32, sandbox_now(sandbox)) is None


def test_queue_counts_and_a_missing_view_reported_as_unavailable(
    sandbox: Any, place: Any, cdb: psycopg.Connection
) -> None:
    place([{"merchant_sku": "SKU-A"}], count=2, acknowledge=False)
    now = sandbox_now(sandbox)
    counts = queue_counts(cdb, now)
    assert counts.at_risk == 2
    assert counts.held == 0
    assert counts.writes == 0
    rows = queue_rows(cdb, "at_risk", now)
    assert rows is not None
    assert {r["state"] for r in rows} == {"undecided"}
    exists = cdb.execute("SELECT to_regclass('jet.unreadable_orders') IS NOT NULL").fetchone()[0]
    if not exists:  # this warehouse does not have the view: say so, not "0"
        assert counts.unreadable is None
        assert queue_rows(cdb, "unreadable", now) is None
    else:
        assert isinstance(counts.unreadable, int)
    with pytest.raises(KeyError, match="no queue named 'nope'"):
        queue_rows(cdb, "nope", now)


def test_a_status_a_run_saw_reads_after_that_runs_own_writes(sandbox: Any, place: Any, cdb: psycopg.Connection) -> None:
    from jet.decisions import tasks

    (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 2}])
    # The run's logical time is the sandbox's; its write settles at the wall clock, later.
    tasks.cancel(run_at(sandbox, "jet_cancel_order"), oid, "customer_request")
    bodies = [e.body for e in load_order(cdb, oid, sandbox_now(sandbox)).timeline]
    queued = next(i for i, b in enumerate(bodies) if b.startswith("queued cancel_units"))
    applied = next(i for i, b in enumerate(bodies) if b.startswith("cancel_units applied at Jet"))
    complete = bodies.index("Jet shows the order complete")
    assert queued < applied < complete, bodies
