"""Following Jet's SKUs: archived or deleted on Jet → archived here and not pushed;
restored → restored and pushed again; a list that lost most SKUs is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.catalog.conftest import jet_catalog, put_requests, sync_run, view

pytestmark = pytest.mark.integration


def product(conn: Any, sku: str) -> tuple[bool, bool, bool, str]:
    return conn.execute(
        "SELECT archived, archived_in_file, archived_on_jet, jet_status FROM jet.products WHERE sku = %s", (sku,)
    ).fetchone()


def test_archived_on_jet_is_archived_here_not_pushed_and_restored(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    sync()
    sku = catalog_db.execute(
        "SELECT sku FROM jet.catalog_wanted WHERE sellable > 3 GROUP BY sku ORDER BY sku LIMIT 1"
    ).fetchone()[0]
    sandbox.archive_on_jet(sku)
    catalog_db.execute("UPDATE jet.inventory SET on_hand = on_hand - 1 WHERE sku = %s", (sku,))
    sandbox.clear_requests()

    receipt = sync()

    assert product(catalog_db, sku) == (True, False, True, "Archived")
    assert receipt["follow"]["archived_now_skus"] == [sku]
    assert put_requests(sandbox) == []  # its stock changed, but it is archived on Jet
    rows = [r for r in view(catalog_db) if r["sku"] == sku]
    assert {(r["archived_on_jet"], r["archived_here"], r["sellable_now"], r["in_sync"]) for r in rows} == {
        (True, True, 0, None)
    }

    sandbox.archive_on_jet(sku, archived=False)
    sandbox.clear_requests()
    receipt = sync()

    assert product(catalog_db, sku) == (False, False, False, "Listed")
    assert receipt["follow"]["restored_now_skus"] == [sku]
    assert [r["path"] for r in put_requests(sandbox)] == [f"/api/merchant-skus/{sku}/inventory"]
    jet = jet_catalog(sandbox)[sku]
    for r in view(catalog_db):
        if r["sku"] == sku:
            assert r["in_sync"] is True
            assert jet["inventory"][r["fulfillment_node"]] == r["sellable_now"] > 0


def test_archived_in_the_file_pushes_zero_and_survives_a_restore_on_jet(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    sku = catalog_db.execute("SELECT sku FROM jet.inventory WHERE on_hand > 3 ORDER BY sku LIMIT 1").fetchone()[0]
    catalog_db.execute("UPDATE jet.products SET archived = true WHERE sku = %s", (sku,))
    sync()
    assert set(jet_catalog(sandbox)[sku]["inventory"].values()) == {0}
    assert product(catalog_db, sku)[:3] == (True, True, False)


def test_deleted_on_jet_is_archived_here(sandbox: Any, seeded: Any, catalog_db: Any, sync: Any) -> None:
    sync()
    sku = catalog_db.execute("SELECT sku FROM jet.products ORDER BY sku LIMIT 1").fetchone()[0]
    sandbox.delete_on_jet(sku)
    catalog_db.execute("UPDATE jet.inventory SET on_hand = on_hand + 5 WHERE sku = %s", (sku,))
    sandbox.clear_requests()

    receipt = sync()

    assert product(catalog_db, sku) == (True, False, True, "not listed")
    assert receipt["follow"]["delisted"] == 1
    assert put_requests(sandbox) == []


def test_a_list_that_lost_most_skus_is_refused_and_nothing_is_archived(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    from jet.catalog.jet_status import JetListSuspect
    from jet.catalog.tasks import follow_jet

    sync()
    skus = [r[0] for r in catalog_db.execute("SELECT sku FROM jet.products ORDER BY sku")]
    for sku in skus[: len(skus) * 2 // 3]:
        sandbox.delete_on_jet(sku)

    with pytest.raises(JetListSuspect, match="nothing was archived"):
        follow_jet(sync_run(sandbox))

    assert catalog_db.execute("SELECT count(*) FROM jet.products WHERE archived_on_jet").fetchone()[0] == 0
    receipt = follow_jet(sync_run(sandbox), accept_mass_delisting=True)
    assert receipt["archived_now"] == len(skus) * 2 // 3
