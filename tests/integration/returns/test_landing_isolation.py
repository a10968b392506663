"""Bad data never stops the good (returns and refunds): every malformed return of
``RETURN_VARIANTS`` and refund state of ``REFUND_VARIANTS`` lands beside 20 good ones in
one run, against the real sandbox and warehouse. Every return listed and every refund
followed ends landed, quarantined or recorded unreadable; a re-run changes nothing;
two landings at once both succeed."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest

from jet.refunds import follow_refunds
from jet.returns import land_returns
from tests.helpers import table_checksums
from tests.integration.fulfillment.conftest import run_at
from tests.integration.malformed import REFUND_VARIANTS, RETURN_VARIANTS, UNREADABLE, Variant, check_bad_one
from tests.sandbox.helpers import accept, ship_all

pytestmark = pytest.mark.integration

GOOD = 20
TABLES = (
    "jet.returns",
    "jet.return_items",
    "jet.return_payloads",
    "jet.refunds",
    "jet.quarantine",
    "jet.unreadable",
    "jet.order_notes",
)


def _hook() -> Any:
    from jet.api.hook import JetHook

    return JetHook()


@pytest.fixture
def shipped(sandbox: Any, jet_connection: Any, fdb: psycopg.Connection) -> Any:
    """Orders acknowledged and shipped in full at Jet, then landed; a hook that gives up fast."""
    from jet.orders.tasks import import_orders

    def _shipped(count: int) -> list[str]:
        ids = sandbox.generate_orders(count, status="ready", lines=[{"merchant_sku": "SKU-A", "quantity": 2}])
        with sandbox.jet_client() as jet:  # one client, one token: the set-up stays quick
            for oid in ids:
                assert accept(jet, oid).status_code == 204
                assert ship_all(jet, oid).status_code == 204
        import_orders(run_at(sandbox, "jet_import_order"), merchant_order_ids=ids)
        jet_connection(max_retries=1, backoff_base=0.01, backoff_max=0.02)
        return ids

    return _shipped


def refund_body(order_item_id: str) -> dict[str, Any]:
    """A merchant refund of one unit, one dollar, of the line."""
    line = {
        "order_item_id": order_item_id,
        "total_quantity_returned": 1,
        "order_return_refund_qty": 1,
        "refund_reason": "No longer want this item",
        "refund_amount": {"principal": 1.0, "tax": 0, "shipping_cost": 0, "shipping_tax": 0},
    }
    return {"items": [line]}


def serve_bad(sandbox: Any, kind: str, path: str, variant: Variant, object_id: str, good: Any, other: Any) -> Any:
    body = variant.build(good, other)
    if body is None:
        faults = sandbox.client.get("/_sandbox/faults").json()["faults"]
        rule = {"kind": "error_500", "rate": 1.0, "methods": ["GET"], "path": f"^{path}{object_id}$"}
        sandbox.set_faults([*faults, rule])
    else:
        sandbox.set_raw(kind, object_id, body)
    return body


def ends(conn: psycopg.Connection, kind: str) -> tuple[dict[str, tuple[Any, ...]], dict[str, str]]:
    quarantined = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT object_id, error_field, error, raw_body, raw_bytes FROM jet.quarantine WHERE kind = %s", (kind,)
        )
    }
    unreadable = dict(conn.execute("SELECT object_id, error FROM jet.unreadable_now WHERE kind = %s", (kind,)))
    return quarantined, unreadable


def test_every_malformed_return_beside_twenty_good_ones(sandbox: Any, shipped: Any, fdb: psycopg.Connection) -> None:
    orders = shipped(GOOD + len(RETURN_VARIANTS))
    returns = [sandbox.generate_return(oid) for oid in orders]
    with sandbox.jet_client() as jet:
        payloads = {rid: jet.get(f"/returns/state/{rid}").json() for rid in returns}
    good, bad = returns[:GOOD], dict(zip(returns[GOOD:], RETURN_VARIANTS, strict=True))
    bodies = {
        rid: serve_bad(sandbox, "return", "/returns/state/", v, rid, payloads[rid], payloads[good[0]])
        for rid, v in bad.items()
    }
    run = run_at(sandbox, "jet_returns")

    receipt = land_returns(fdb, _hook(), run)

    landed = {r[0] for r in fdb.execute("SELECT merchant_return_authorization_id FROM jet.returns")}
    assert landed == set(good)
    quarantined, unreadable = ends(fdb, "return")
    for rid, variant in bad.items():
        check_bad_one(variant, rid, bodies[rid], quarantined, unreadable)
    assert sorted([*landed, *quarantined, *unreadable]) == sorted(returns), "every return listed ends somewhere"
    unreadable_count = sum(v.outcome == UNREADABLE for v in RETURN_VARIANTS)
    assert (receipt.listed, receipt.loaded, receipt.unreadable) == (len(returns), GOOD, unreadable_count)
    assert receipt.loaded + receipt.quarantined + receipt.unreadable == receipt.listed
    notes = fdb.execute("SELECT count(*) FROM jet.order_notes WHERE dedupe_key LIKE 'return:%:opened'").fetchone()
    assert notes == (GOOD,), "the good returns noted on their orders"

    before = table_checksums(fdb, TABLES)
    land_returns(fdb, _hook(), run)
    assert table_checksums(fdb, TABLES) == before, "a re-run changes nothing"

    # Two runs at once (the schedule and a manual run) take turns and both succeed.
    with ThreadPoolExecutor(max_workers=2) as pool:
        later = [run_at(sandbox, "jet_returns"), run_at(sandbox, "jet_returns")]
        results = [f.result(timeout=120) for f in [pool.submit(_land_on_own_connection, r) for r in later]]
    assert [r.loaded for r in results] == [GOOD, GOOD]
    assert {r[0] for r in fdb.execute("SELECT merchant_return_authorization_id FROM jet.returns")} == set(good)


def _land_on_own_connection(run: Any) -> Any:
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        return land_returns(conn, _hook(), run)


def test_every_malformed_refund_state_beside_twenty_good_ones(
    sandbox: Any, shipped: Any, fdb: psycopg.Connection
) -> None:
    orders = shipped(GOOD + len(REFUND_VARIANTS))
    requested = run_at(sandbox, "jet_refund_order")
    auth: dict[str, str] = {}
    with sandbox.jet_client() as jet:
        for n, oid in enumerate(orders):
            item = jet.get(f"/orders/withoutShipmentDetail/{oid}").json()["order_items"][0]
            body = refund_body(item["order_item_id"])
            created = jet.post(f"/refunds/{oid}/RF-{n}", json=body)
            assert created.status_code == 201, created.text
            auth[f"RF-{n}"] = created.json()["refund_authorization_id"]
            fdb.execute(
                "INSERT INTO jet.refunds (alt_refund_id, merchant_order_id, refund_authorization_id, refund_status,"
                " requested_by, requested_at) VALUES (%s, %s, %s, 'created', %s, %s)",
                (f"RF-{n}", oid, auth[f"RF-{n}"], requested.run_key, requested.observed_at),
            )
        sandbox.advance(700)  # Jet moves them to processing
        payloads = {a: jet.get(f"/refunds/state/{a}").json() for a in auth.values()}
    alts = list(auth)
    good, bad = alts[:GOOD], dict(zip(alts[GOOD:], REFUND_VARIANTS, strict=True))
    bodies = {
        auth[alt]: serve_bad(
            sandbox, "refund", "/refunds/state/", v, auth[alt], payloads[auth[alt]], payloads[auth[good[0]]]
        )
        for alt, v in bad.items()
    }
    run = run_at(sandbox, "jet_returns")

    seen = follow_refunds(fdb, _hook(), run)

    assert seen == dict.fromkeys(good, "processing")
    statuses = dict(fdb.execute("SELECT alt_refund_id, refund_status FROM jet.refunds").fetchall())
    assert {statuses[a] for a in good} == {"processing"}
    assert {statuses[a] for a in bad} == {"created"}, "a bad state never overwrites the last good one"
    quarantined, unreadable = ends(fdb, "refund")
    for alt, variant in bad.items():
        check_bad_one(variant, auth[alt], bodies[auth[alt]], quarantined, unreadable)
    assert sorted([*(auth[a] for a in seen), *quarantined, *unreadable]) == sorted(auth.values())

    before = table_checksums(fdb, TABLES)
    follow_refunds(fdb, _hook(), run)
    assert table_checksums(fdb, TABLES) == before, "a re-run changes nothing"
    with ThreadPoolExecutor(max_workers=2) as pool:
        later = [run_at(sandbox, "jet_returns"), run_at(sandbox, "jet_refund_order")]
        results = [f.result(timeout=120) for f in [pool.submit(_follow_on_own_connection, r) for r in later]]
    assert all(len(r) == GOOD for r in results)


def _follow_on_own_connection(run: Any) -> Any:
    from jet.warehouse.db import connect

    with connect(autocommit=True) as conn:
        return follow_refunds(conn, _hook(), run)


@pytest.fixture
def poison(fdb: psycopg.Connection) -> Any:
    """Constraints the payload models know nothing of: the warehouse refuses 'POISON'."""
    fdb.execute("ALTER TABLE jet.returns ADD CONSTRAINT test_refuses_poison CHECK (tracking_number <> 'POISON')")
    fdb.execute("ALTER TABLE jet.refunds ADD CONSTRAINT test_refuses_poison CHECK (refund_status <> 'POISON')")
    yield "POISON"
    fdb.execute("ALTER TABLE jet.returns DROP CONSTRAINT test_refuses_poison")
    fdb.execute("ALTER TABLE jet.refunds DROP CONSTRAINT test_refuses_poison")


def test_a_return_and_a_refund_the_database_refuses_are_quarantined(
    sandbox: Any, shipped: Any, fdb: psycopg.Connection, poison: str
) -> None:
    orders = shipped(3)
    returns = [sandbox.generate_return(oid) for oid in orders]
    with sandbox.jet_client() as jet:
        bad = jet.get(f"/returns/state/{returns[0]}").json()
        item = jet.get(f"/orders/withoutShipmentDetail/{orders[1]}").json()["order_items"][0]
        created = jet.post(f"/refunds/{orders[1]}/RF-P", json=refund_body(item["order_item_id"])).json()
        refund = jet.get(f"/refunds/state/{created['refund_authorization_id']}").json()
    sandbox.set_raw("return", returns[0], json.dumps({**bad, "tracking_number": poison}))
    sandbox.set_raw("refund", "RF-P", json.dumps({**refund, "refund_status": poison}))
    run = run_at(sandbox, "jet_returns")
    fdb.execute(
        "INSERT INTO jet.refunds (alt_refund_id, merchant_order_id, refund_authorization_id, refund_status,"
        " requested_by, requested_at) VALUES ('RF-P', %s, %s, 'created', %s, %s)",
        (orders[1], created["refund_authorization_id"], run.run_key, run.observed_at),
    )

    receipt = land_returns(fdb, _hook(), run)
    seen = follow_refunds(fdb, _hook(), run)

    assert (receipt.loaded, receipt.quarantined, receipt.refused) == (2, 1, 1)
    assert {r[0] for r in fdb.execute("SELECT merchant_return_authorization_id FROM jet.returns")} == set(returns[1:])
    quarantined = dict(fdb.execute("SELECT kind, error_field FROM jet.quarantine").fetchall())
    assert quarantined == {"return": "jet.returns", "refund": "jet.refunds"}
    assert seen == {}
    assert fdb.execute("SELECT refund_status FROM jet.refunds").fetchone() == ("created",)
