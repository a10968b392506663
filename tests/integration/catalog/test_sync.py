"""jet_catalog_sync against the sandbox and the real warehouse: Jet ends with what
analytics.catalog_sync says, and only differences are ever sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.integration.catalog.conftest import jet_catalog, put_requests, set_toggles, view, writes

pytestmark = pytest.mark.integration


def assert_jet_matches_view(sandbox: Any, conn: Any) -> list[dict[str, Any]]:
    jet = jet_catalog(sandbox)
    rows = [r for r in view(conn) if r["in_catalog"] and r["in_sync"] is not None]
    assert rows
    for r in rows:
        sku = jet[r["sku"]]
        assert sku["inventory"][r["fulfillment_node"]] == r["sellable_now"] == r["pushed_quantity"], r
        node_price = sku["node_prices"].get(r["fulfillment_node"])
        assert Decimal(str(node_price or sku["price"])) == r["price_now"] == r["pushed_price"], r
        assert r["in_sync"] is True, r
    return rows


def test_after_a_sync_jet_has_what_the_view_says_and_a_second_sync_sends_nothing(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    first = sync()

    rows = assert_jet_matches_view(sandbox, catalog_db)
    skus = {r["sku"] for r in rows}
    assert len(writes(sandbox, "inventory")) == len(skus)
    assert len(writes(sandbox, "price")) == len(skus)
    assert first["push"]["outcomes"] == {"accepted": 2 * len(skus)}
    unknown = sorted(s["merchant_sku"] for s in seeded["skus"] if not s["known_to_merchant"])
    assert first["follow"]["on_jet_not_in_catalog"] == len(unknown)
    assert first["follow"]["on_jet_not_in_catalog_skus"] == unknown[:20]
    assert sorted(r["sku"] for r in view(catalog_db) if not r["in_catalog"]) == unknown

    sandbox.clear_requests()
    second = sync()

    assert put_requests(sandbox) == []
    assert second["push"]["requests"] == 0


def test_changing_one_skus_stock_sends_exactly_one_request(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    sync()
    sku, node = catalog_db.execute(
        "SELECT sku, fulfillment_node FROM jet.inventory WHERE on_hand > 5 ORDER BY sku LIMIT 1"
    ).fetchone()
    catalog_db.execute(
        "UPDATE jet.inventory SET on_hand = on_hand - 3 WHERE sku = %s AND fulfillment_node = %s", (sku, node)
    )
    sandbox.clear_requests()

    sync()

    puts = put_requests(sandbox)
    assert [r["path"] for r in puts] == [f"/api/merchant-skus/{sku}/inventory"]
    assert_jet_matches_view(sandbox, catalog_db)


def test_each_toggle_off_sends_nothing_of_its_kind(sandbox: Any, seeded: Any, catalog_db: Any, sync: Any) -> None:
    set_toggles(catalog_db, push_stock=False, push_prices=False, follow_archive=False)
    receipt = sync()
    assert sandbox.requests_log() == [] or all(r["path"] == "/api/token" for r in sandbox.requests_log())
    assert receipt["follow"] == {"follow_archive": False, "settings_version": receipt["follow"]["settings_version"]}

    set_toggles(catalog_db, push_stock=True, push_prices=False, follow_archive=False)
    sync()
    assert {e["kind"] for e in writes(sandbox)} == {"inventory"}
    assert not any(r["path"].startswith("/api/merchant-skus?") or r["method"] == "GET" for r in sandbox.requests_log())

    set_toggles(catalog_db, push_stock=False, push_prices=True, follow_archive=True)
    sandbox.clear_requests()
    catalog_db.execute("UPDATE jet.inventory SET on_hand = on_hand + 1")
    sync()
    assert {r["path"].rsplit("/", 1)[-1] for r in put_requests(sandbox)} == {"price"}


def test_an_order_acknowledged_between_two_syncs_lowers_the_next_push_by_its_units(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any, pull: Any
) -> None:
    from jet.decisions import tasks
    from tests.integration.decisions.conftest import run_at

    sync()
    sku, node, before = catalog_db.execute(
        "SELECT sku, fulfillment_node, sellable FROM jet.catalog_wanted WHERE sellable > 5 ORDER BY sku LIMIT 1"
    ).fetchone()
    sandbox.generate_orders(1, fulfillment_node=node, lines=[{"merchant_sku": sku, "quantity": 3}])
    pull()
    tasks.run_cycle(run_at(sandbox))
    sandbox.clear_requests()

    sync()

    puts = put_requests(sandbox)
    assert [r["path"] for r in puts] == [f"/api/merchant-skus/{sku}/inventory"]
    assert jet_catalog(sandbox)[sku]["inventory"][node] == before - 3
