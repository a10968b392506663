"""Bad data never stops the good (orders): each of the 18 malformed variants of
``tests/integration/malformed.py`` lands beside 20 good orders, on the scheduled pull
and on the refresh of orders already acknowledged, against the real sandbox and the
real warehouse. Every id Jet listed ends landed, quarantined or recorded unreadable,
and a re-run changes no table.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from jet.orders.tasks import import_orders, pull_ready, refresh_open
from jet.runs import RunIdentity
from jet.warehouse.locks import LockHeld
from jet.warehouse.scratch import empty
from tests.conftest import ORDER_TABLES
from tests.helpers import table_checksums
from tests.integration.fulfillment.conftest import acknowledge_at_jet
from tests.integration.malformed import ORDER_VARIANTS, UNREADABLE, Variant, check_bad_one

pytestmark = pytest.mark.integration

RUN = RunIdentity("jet_orders", "scheduled__isolation", datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
LINES = [{"merchant_sku": "SKU-A", "quantity": 2}, {"merchant_sku": "SKU-B", "quantity": 1}]
TABLES = ORDER_TABLES
GOOD = 20


def later(minutes: int) -> RunIdentity:
    return RunIdentity(RUN.dag_id, f"scheduled__isolation_{minutes}", RUN.observed_at + timedelta(minutes=minutes))


@pytest.fixture
def fast_retries(jet_connection: Any) -> None:
    """A hook that gives up on a failing GET quickly (the 500 variant exhausts its retries)."""
    jet_connection(max_retries=1, backoff_base=0.01, backoff_max=0.02)


def payloads_by_id(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {o["order"]["merchant_order_id"]: o["order"] for o in sandbox.truth_orders()}


def serve_bad(sandbox: Any, variant: Variant, order_id: str, payload: dict[str, Any], neighbour: dict[str, Any]) -> Any:
    """Make Jet serve ``variant`` for ``order_id``; returns the body served (None: Jet answers 500)."""
    body = variant.build(payload, neighbour)
    if body is None:
        sandbox.set_faults(
            [
                *sandbox.client.get("/_sandbox/faults").json()["faults"],
                {"kind": "error_500", "rate": 1.0, "methods": ["GET"], "path": f"/withoutShipmentDetail/{order_id}$"},
            ]
        )
    else:
        sandbox.set_raw_order(order_id, body)
    return body


def outcomes(conn: psycopg.Connection) -> tuple[dict[str, str], dict[str, tuple[Any, ...]], dict[str, str]]:
    """landed (id → reference_order_id), quarantined (id → (field, error, raw_body, raw_bytes)),
    unreadable (id → error)."""
    landed = dict(conn.execute("SELECT merchant_order_id, reference_order_id FROM jet.orders").fetchall())
    quarantined = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT object_id, error_field, error, raw_body, raw_bytes FROM jet.quarantine WHERE kind = 'order'"
        )
    }
    unreadable = dict(conn.execute("SELECT merchant_order_id, error FROM jet.unreadable_orders").fetchall())
    return landed, quarantined, unreadable


@pytest.mark.parametrize("variant", ORDER_VARIANTS, ids=lambda v: v.name)
def test_one_malformed_order_beside_twenty_good_ones(
    variant: Variant, sandbox: Any, fast_retries: None, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(GOOD + 1, status="ready", lines=LINES)
    payloads = payloads_by_id(sandbox)
    bad, good = ids[0], ids[1:]
    body = serve_bad(sandbox, variant, bad, payloads[bad], payloads[good[0]])

    receipt = pull_ready(RUN)

    landed, quarantined, unreadable = outcomes(clean_orders)
    assert landed == {oid: payloads[oid]["reference_order_id"] for oid in good}, "every good order lands, as itself"
    check_bad_one(variant, bad, body, quarantined, unreadable)
    # Nothing dropped: every id Jet listed is landed, quarantined or unreadable, exactly once.
    ends = [*landed, *quarantined, *unreadable]
    assert sorted(ends) == sorted(ids)
    assert receipt["listed"] == GOOD + 1
    assert receipt["loaded"] + receipt["quarantined"] + receipt["unreadable"] == GOOD + 1
    assert (receipt["loaded"], receipt["unreadable"]) == (GOOD, 1 if variant.outcome == UNREADABLE else 0)

    before = table_checksums(clean_orders, TABLES)
    pull_ready(RUN)  # the same run again: a retry, a cleared task
    assert table_checksums(clean_orders, TABLES) == before


def test_every_malformed_order_at_once_on_the_refresh_of_acknowledged_orders(
    sandbox: Any, fast_retries: None, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(GOOD + len(ORDER_VARIANTS), status="ready", lines=LINES)
    pull_ready(RUN)  # everything lands as Jet first served it
    for oid in ids:
        acknowledge_at_jet(sandbox, oid)
    payloads = payloads_by_id(sandbox)
    good, bad = ids[:GOOD], dict(zip(ids[GOOD:], ORDER_VARIANTS, strict=True))
    bodies = {oid: serve_bad(sandbox, v, oid, payloads[oid], payloads[good[0]]) for oid, v in bad.items()}

    receipt = refresh_open(later(10))

    statuses = dict(clean_orders.execute("SELECT merchant_order_id, status FROM jet.orders").fetchall())
    assert {oid for oid, s in statuses.items() if s == "acknowledged"} == set(good), "the good ones refreshed"
    assert {statuses[oid] for oid in bad} == {"ready"}, "a bad version never overwrites the landed one"
    _, quarantined, unreadable = outcomes(clean_orders)
    for oid, variant in bad.items():
        check_bad_one(variant, oid, bodies[oid], quarantined, unreadable)
    assert receipt["listed"] == len(ids)
    assert receipt["loaded"] + receipt["quarantined"] + receipt["unreadable"] == len(ids)
    assert receipt["loaded"] == GOOD

    before = table_checksums(clean_orders, TABLES)
    refresh_open(later(10))
    assert table_checksums(clean_orders, TABLES) == before, "a re-run changes nothing"
    # ... and the next run works too: a bad order cannot fail the refresh for ever.
    again = refresh_open(later(20))
    assert again["loaded"] == GOOD
    failures = dict(clean_orders.execute("SELECT merchant_order_id, failures FROM jet.unreadable_orders").fetchall())
    assert set(failures.values()) == {2}, "each run that could not read it is counted"


#: Order data without the stamps of the run that landed it first (which run commits first
#: is up to the race; the data must not be).
CONTENT = {
    "jet.order_payloads": "merchant_order_id, payload_hash, payload",
    "jet.orders": "merchant_order_id, status, reference_order_id, payload_hash, total_base_price, total_item_fees",
    "jet.order_items": "*",
    "jet.shipping_addresses": "*",
    "jet.order_shipments": "*",
    "jet.customers": "hash_email, name, phone_number",
    "jet.order_status_history": "merchant_order_id, status, exception_state",
    "jet.quarantine": "kind, object_id",
}


def content(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    out = {}
    for table, columns in CONTENT.items():
        out[table] = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            f" FROM (SELECT {columns} FROM {table}) t"
        ).fetchone()
    return out


def test_concurrent_landings_of_the_same_orders_both_succeed(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection
) -> None:
    ids = sandbox.generate_orders(150, status="ready", lines=LINES)
    pull_ready(RUN)
    reference = content(clean_orders)
    assert reference["jet.orders"][0] == 150
    assert reference["jet.quarantine"][0] == 0
    for n in range(3):
        empty(clean_orders, TABLES)
        # The scheduled pull and an operator's import of the same orders, at the same time.
        pull, manual = later(10 * n + 1), RunIdentity("jet_import_order", f"manual__{n}", later(10 * n + 2).observed_at)
        with ThreadPoolExecutor(max_workers=2) as pool:
            landings = [pool.submit(pull_ready, pull), pool.submit(import_orders, manual, ids)]
            receipts = [f.result(timeout=120) for f in landings]  # re-raises a landing's failure
        # They took turns: neither collided with the other (no batch had to fall back).
        assert [(r["loaded"], r["quarantined"], r["order_by_order"]) for r in receipts] == [(150, 0, 0)] * 2
        assert content(clean_orders) == reference
        assert clean_orders.execute("SELECT count(*) FROM jet.ingest_batches").fetchone() == (2,)
    # The same run twice at once (a retry while a stale attempt still runs): byte-identical.
    empty(clean_orders, TABLES)
    pull_ready(RUN)
    serial = table_checksums(clean_orders, TABLES)
    empty(clean_orders, TABLES)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for f in [pool.submit(pull_ready, RUN) for _ in range(2)]:
            f.result(timeout=120)
    assert table_checksums(clean_orders, TABLES) == serial


def test_a_landing_waits_a_bounded_time_and_names_who_blocks_it(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection, warehouse_url: str, monkeypatch: Any
) -> None:
    from jet.warehouse import landing

    sandbox.generate_orders(3, status="ready", lines=LINES)
    monkeypatch.setattr(landing, "LANDING_LOCK_TIMEOUT", 0.5)
    with psycopg.connect(warehouse_url, application_name="someone-else") as holder:
        holder.execute("LOCK TABLE jet.ingest_batches IN SHARE ROW EXCLUSIVE MODE")
        busy = r"the landing lock on jet.ingest_batches is held by another session, waited 0.5 s: pid \d+"
        with pytest.raises(landing.LandingBusy, match=busy) as info:
            pull_ready(RUN)
        assert "application_name 'someone-else'" in str(info.value)
        assert isinstance(info.value, LockHeld)  # one kind of error for every bounded lock wait
    assert pull_ready(RUN)["loaded"] == 3  # once free, the landing goes through
    # The analysts' read-only role cannot take the landing's turn, so it cannot stall it.
    with psycopg.connect(warehouse_url) as analyst:
        analyst.execute("SET ROLE jetflow_analyst")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("LOCK TABLE jet.ingest_batches IN SHARE ROW EXCLUSIVE MODE")


@pytest.fixture
def poisoned_sku(warehouse: psycopg.Connection) -> Any:
    """A constraint the payload models know nothing of: the warehouse refuses SKU POISON."""
    warehouse.execute("ALTER TABLE jet.order_items ADD CONSTRAINT test_refuses_poison CHECK (merchant_sku <> 'POISON')")
    yield "POISON"
    warehouse.execute("ALTER TABLE jet.order_items DROP CONSTRAINT test_refuses_poison")


def test_an_order_the_database_refuses_is_quarantined_and_the_batch_commits(
    sandbox: Any, jet_connection: Any, clean_orders: psycopg.Connection, poisoned_sku: str
) -> None:
    good = sandbox.generate_orders(GOOD, status="ready", lines=LINES)
    [poisoned] = sandbox.generate_orders(1, status="ready", lines=[{"merchant_sku": poisoned_sku, "quantity": 1}])
    [invalid] = sandbox.generate_orders(1, status="ready", lines=LINES)
    sandbox.set_raw_order(invalid, b'{"merchant_order_id": "' + invalid.encode() + b'"}')

    receipt = pull_ready(RUN)

    assert (receipt["loaded"], receipt["quarantined"], receipt["refused"], receipt["order_by_order"]) == (
        GOOD,
        2,
        1,
        1,
    )
    landed, quarantined, _ = outcomes(clean_orders)
    assert set(landed) == set(good)
    field, error, raw_body, _ = quarantined[poisoned]
    assert field == "jet.order_items"
    assert error.startswith(f"jet.order_items: the warehouse refused order {poisoned}: new row for relation")
    assert "test_refuses_poison" in error
    assert "[SQLSTATE 23514]" in error
    assert poisoned in raw_body  # the payload Jet served, kept
    assert quarantined[invalid][0] == "reference_order_id"  # validation's quarantine rides along
    batch = clean_orders.execute("SELECT orders_loaded, quarantined FROM jet.ingest_batches").fetchone()
    assert batch == (GOOD, 2)

    before = table_checksums(clean_orders, TABLES)
    again = pull_ready(RUN)
    assert again["refused"] == 1
    assert table_checksums(clean_orders, TABLES) == before


def test_an_outage_fails_the_run_loudly_after_landing_what_it_has(
    sandbox: Any, fast_retries: None, clean_orders: psycopg.Connection
) -> None:
    from jet.warehouse.landing import OUTAGE_AFTER, JetUnavailable

    ids = sandbox.generate_orders(OUTAGE_AFTER + 10, status="ready", lines=LINES)
    sandbox.set_faults([{"kind": "error_503", "rate": 1.0, "methods": ["GET"], "path": "/withoutShipmentDetail/"}])
    with pytest.raises(JetUnavailable, match=f"Jet failed {OUTAGE_AFTER} order reads in a row"):
        pull_ready(RUN)
    recorded = {r[0] for r in clean_orders.execute("SELECT merchant_order_id FROM jet.unreadable_orders")}
    assert len(recorded) == OUTAGE_AFTER, "what was tried is recorded before the run fails"

    sandbox.clear_faults()
    receipt = pull_ready(later(10))
    assert receipt["loaded"] == len(ids)
    assert clean_orders.execute("SELECT count(*) FROM jet.unreadable_orders").fetchone() == (0,), "read again"
    assert clean_orders.execute("SELECT count(*) FROM jet.unreadable WHERE read_again_at IS NOT NULL").fetchone() == (
        OUTAGE_AFTER,
    )
