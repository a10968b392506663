"""Order ingestion against the real sandbox (HTTP) and the real test warehouse.

Each test states one acceptance line of the ingestion issue.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jet.orders.tasks import import_orders, pull_ready, refresh_open
from jet.runs import RunIdentity
from tests.helpers import table_checksums

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "jet-samples"  # public sample payloads, see its SOURCES.md
RUN = RunIdentity(
    dag_id="jet_orders", dag_run_id="scheduled__test", observed_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
)


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def truth_by_id(sandbox: Any, status: str | None = None) -> dict[str, dict]:
    return {o["order"]["merchant_order_id"]: o["order"] for o in sandbox.truth_orders(status)}


@pytest.mark.slow
def test_a_thousand_orders_arrive_exactly_once_line_by_line(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ready_ids = sandbox.generate_orders(1000, status="ready")
    sandbox.set_config(fraud_check_delay_seconds=3600)
    created_ids = sandbox.generate_orders(20, status="created")

    receipt = pull_ready(RUN)

    assert receipt["loaded"] == 1000
    assert receipt["quarantined"] == 0
    conn = clean_orders
    assert conn.execute("SELECT count(*), count(DISTINCT merchant_order_id) FROM jet.orders").fetchone() == (1000, 1000)
    landed = {r[0] for r in conn.execute("SELECT merchant_order_id FROM jet.orders")}
    assert landed == set(ready_ids)
    assert not landed & set(created_ids), "created orders are in fraud check and must never be imported"

    truth = truth_by_id(sandbox, "ready")
    orders = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT merchant_order_id, reference_order_id, status, fulfillment_node, total_base_price,"
            " total_item_tax, total_shipping_cost, total_item_fees FROM jet.orders"
        )
    }
    items = {
        (r[0], r[1]): r[2:]
        for r in conn.execute(
            "SELECT merchant_order_id, order_item_id, merchant_sku, quantity, unit_price, item_tax,"
            " item_shipping_cost, item_shipping_tax, item_fees FROM jet.order_items"
        )
    }
    expected_items = 0
    for oid, order in truth.items():
        totals = order["order_totals"]
        price = totals.get("item_price") or {}
        assert orders[oid] == (
            order["reference_order_id"],
            "ready",
            order["fulfillment_node"],
            dec(price.get("base_price")),
            dec(price.get("item_tax")),
            dec(price.get("item_shipping_cost")),
            dec(totals.get("item_fees")),
        ), oid
        for line in order["order_items"]:
            expected_items += 1
            p = line["item_price"]
            assert items[(oid, line["order_item_id"])] == (
                line["merchant_sku"],
                line["request_order_quantity"],
                dec(p["base_price"]),
                dec(p.get("item_tax")),
                dec(p["item_shipping_cost"]),
                dec(p.get("item_shipping_tax")),
                dec(line.get("item_fees")),
            )
    assert len(items) == expected_items
    history = conn.execute("SELECT status, count(*) FROM jet.order_status_history GROUP BY status").fetchall()
    assert history == [("ready", 1000)]
    assert conn.execute("SELECT count(*) FROM jet.shipping_addresses").fetchone() == (1000,)


def test_rerunning_a_run_leaves_every_table_unchanged(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(60, status="ready")
    acknowledged = ids[:10]
    pull_ready(RUN)
    first = table_checksums(clean_orders)
    assert first["jet.orders"][0] == 60

    pull_ready(RUN)  # the same run again (a cleared task, a retry)
    refresh_open(RUN)
    assert table_checksums(clean_orders) == first

    # A later run with nothing changed at Jet: no new versions, no changed rows; only
    # the raw versions' last-seen stamps move.
    later = RunIdentity(RUN.dag_id, "scheduled__later", RUN.observed_at + timedelta(minutes=10))
    pull_ready(later)
    again = table_checksums(clean_orders)
    for table in (
        "jet.orders",
        "jet.order_items",
        "jet.customers",
        "jet.shipping_addresses",
        "jet.order_status_history",
    ):
        assert again[table] == first[table], table
    assert again["jet.order_payloads"][0] == first["jet.order_payloads"][0]

    # Jet moves some orders on: the refresh lands the change, and only that.
    for oid in acknowledged:
        _acknowledge_at_jet(sandbox, oid)
    refreshed = refresh_open(RunIdentity(RUN.dag_id, "scheduled__later2", RUN.observed_at + timedelta(minutes=20)))
    assert refreshed["changed"] == 10
    statuses = dict(clean_orders.execute("SELECT status, count(*) FROM jet.orders GROUP BY status").fetchall())
    assert statuses == {"ready": 50, "acknowledged": 10}
    assert clean_orders.execute("SELECT count(*) FROM jet.order_payloads").fetchone() == (70,)
    assert clean_orders.execute(
        "SELECT count(*) FROM jet.order_status_history WHERE status = 'acknowledged'"
    ).fetchone() == (10,)


def _acknowledge_at_jet(sandbox: Any, order_id: str) -> None:
    """Acknowledge an order at the sandbox directly, as another system would."""
    import httpx

    order = truth_by_id(sandbox)[order_id]
    body = {
        "acknowledgement_status": "accepted",
        "order_items": [
            {"order_item_id": i["order_item_id"], "order_item_acknowledgement_status": "fulfillable"}
            for i in order["order_items"]
        ],
    }
    response = httpx.put(
        f"{sandbox.api_url}/orders/{order_id}/acknowledge",
        json=body,
        headers={"Authorization": f"Bearer {sandbox.token()}"},
    )
    assert response.status_code in (200, 201, 204), response.text


@pytest.mark.slow
def test_faults_lose_nothing_and_the_rate_budget_holds(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(300, status="ready")
    budget, burst = 40, 5
    jet_connection(rate_limit_per_second=budget, rate_limit_burst=burst, backoff_base=0.05, backoff_max=0.5)
    sandbox.set_faults(
        [
            {"kind": "error_500", "rate": 0.05, "methods": ["GET"]},
            {"kind": "rate_429", "rate": 0.05, "methods": ["GET"], "params": {"retry_after": 1}},
            {"kind": "latency", "rate": 0.5, "methods": ["GET"], "params": {"seconds": 0.03}},
        ]
    )
    sandbox.clear_requests()

    receipt = pull_ready(RUN)

    sandbox.clear_faults()
    log = sandbox.requests_log()
    statuses = Counter(r["status"] for r in log)
    assert statuses[500] > 0, "the 500 fault must have fired"
    assert statuses[429] > 0, "the 429 fault must have fired"
    assert receipt["loaded"] == 300
    assert clean_orders.execute("SELECT count(*), count(DISTINCT merchant_order_id) FROM jet.orders").fetchone() == (
        300,
        300,
    )
    assert {r[0] for r in clean_orders.execute("SELECT merchant_order_id FROM jet.orders")} == set(ids)
    # Rate budget: no one-second window holds more than budget + burst requests.
    walls = sorted(r["wall"] for r in log)
    worst = max(sum(1 for w in walls[i:] if w < start + 1.0) for i, start in enumerate(walls))
    assert worst <= budget + burst, f"{worst} requests in one second, budget {budget}/s + burst {burst}"


def _docs_sample() -> str:
    return (SAMPLES / "order_detail_jetdocs_sample_via_mock_server.json").read_text()


def _docs_sample_brace_fixed() -> str:
    """The docs sample with its one defect mended: order_items and order_detail moved
    out of order_totals to the top level, where the real API had them."""
    sample = json.loads(_docs_sample())
    totals = sample["order_totals"]
    sample["order_items"] = totals.pop("order_items")
    sample["order_detail"] = totals.pop("order_detail")
    return json.dumps(sample, indent=2)


def test_bad_payloads_are_quarantined_while_the_rest_load(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(12, status="ready")
    broken, docs = ids[0], ids[1]
    sandbox.set_raw_order(broken, '{"merchant_order_id": "' + broken + '", "status": "ready", "order_items": [')
    sandbox.set_raw_order(docs, _docs_sample())

    receipt = pull_ready(RUN)

    assert receipt["loaded"] == 10
    assert receipt["quarantined"] == 2
    rows = dict(clean_orders.execute("SELECT object_id, error FROM jet.quarantine WHERE kind = 'order'").fetchall())
    assert set(rows) == {broken, docs}
    assert "order_items" in rows[docs], rows[docs]  # names the misplaced field
    assert rows[broken]  # a readable reason, not an empty string
    raw = clean_orders.execute("SELECT raw_body FROM jet.quarantine WHERE object_id = %s", (docs,)).fetchone()[0]
    assert raw == _docs_sample()  # kept exactly as served
    loaded = {r[0] for r in clean_orders.execute("SELECT merchant_order_id FROM jet.orders")}
    assert loaded == set(ids[2:])

    # The docs order with its brace fixed is still not the order requested (it names its
    # own id): quarantined, not landed under another id.
    sandbox.set_raw_order(docs, _docs_sample_brace_fixed())
    pull_ready(RunIdentity(RUN.dag_id, "scheduled__fixed", RUN.observed_at + timedelta(minutes=10)))
    error = clean_orders.execute(
        "SELECT error FROM jet.quarantine WHERE object_id = %s AND error_field = 'merchant_order_id'", (docs,)
    ).fetchone()
    assert error is not None
    assert "9b13bdd68c314d1b9c8b93277dea4da1" in error[0]
    assert clean_orders.execute("SELECT count(*) FROM jet.orders WHERE merchant_order_id LIKE '9b13%%'").fetchone() == (
        0,
    )
    # Served under its own id, the fixed docs order loads.
    sandbox.set_raw_order(docs, _docs_sample_brace_fixed().replace("9b13bdd68c314d1b9c8b93277dea4da1", docs))
    pull_ready(RunIdentity(RUN.dag_id, "scheduled__fixed2", RUN.observed_at + timedelta(minutes=20)))
    row = clean_orders.execute(
        "SELECT status, total_base_price, total_item_tax FROM jet.orders WHERE merchant_order_id = %s", (docs,)
    ).fetchone()
    assert row == ("complete", Decimal("20.00"), Decimal("0.14"))
    line = clean_orders.execute(
        "SELECT merchant_sku, quantity, unit_price, item_fees FROM jet.order_items WHERE merchant_order_id = %s",
        (docs,),
    ).fetchone()
    assert line == ("B289B4B", 2, Decimal("20.00"), Decimal("2.01"))


def test_import_order_pulls_named_orders_whatever_their_status(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(5, status="ready")
    _acknowledge_at_jet(sandbox, ids[0])
    receipt = import_orders(RUN, merchant_order_ids=[ids[0], ids[1], ids[1]])
    assert receipt["loaded"] == 2
    rows = dict(clean_orders.execute("SELECT merchant_order_id, status FROM jet.orders").fetchall())
    assert rows == {ids[0]: "acknowledged", ids[1]: "ready"}

    with pytest.raises(ValueError, match="at least one merchant_order_id"):
        import_orders(RUN, merchant_order_ids=[])
    with pytest.raises(ValueError, match="cannot be imported"):
        import_orders(RUN, merchant_order_ids=[], statuses=["created"])


def test_import_by_status_respects_the_placed_date_range(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(8, status="ready")
    placed = {o["merchant_order_id"]: o["order_placed_date"][:10] for o in truth_by_id(sandbox).values()}
    day = min(placed.values())
    receipt = import_orders(RUN, merchant_order_ids=[], statuses=["ready"], placed_from=day, placed_to=day)
    expected = {i for i in ids if placed[i] == day}
    assert receipt["loaded"] == len(expected)
    assert {r[0] for r in clean_orders.execute("SELECT merchant_order_id FROM jet.orders")} == expected


def test_an_order_gone_at_jet_is_recorded_and_does_not_stop_the_refresh(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    gone = sandbox.generate_orders(3, status="ready")
    pull_ready(RUN)
    # Jet forgets those orders (another account's, or past its 90 days) and has new ones.
    sandbox.reset(seed=43, scenario="empty", config={"fraud_check_delay_seconds": 0})
    kept = sandbox.generate_orders(2, status="ready")
    for oid in kept:
        _acknowledge_at_jet(sandbox, oid)
    later = RunIdentity(RUN.dag_id, "scheduled__later", RUN.observed_at + timedelta(minutes=10))

    receipt = refresh_open(later)

    assert receipt["missing"] == 3
    assert receipt["loaded"] == 2
    misses = {r[0] for r in clean_orders.execute("SELECT merchant_order_id FROM jet.order_fetch_misses")}
    assert misses == set(gone)
    assert clean_orders.execute("SELECT missing FROM jet.ingest_batches WHERE source = 'refresh'").fetchone() == (3,)
    # The next refresh does not ask Jet for them again.
    sandbox.clear_requests()
    refresh_open(RunIdentity(RUN.dag_id, "scheduled__later2", RUN.observed_at + timedelta(minutes=20)))
    asked = {r["path"].rsplit("/", 1)[-1] for r in sandbox.requests_log() if "withoutShipmentDetail" in r["path"]}
    assert not asked & set(gone)
    assert asked == set(kept)
