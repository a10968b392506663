"""A setup mistake never cancels a sale: with no catalog loaded, the decider sends nothing to
Jet for orders whose SKUs it cannot know, fails loudly saying to load the catalog, and
decides those orders normally once the catalog arrives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from jet.decisions import tasks
from jet.decisions.store import CatalogNotLoaded
from tests.integration.decisions.conftest import run_at
from tests.integration.decisions.test_decide_flow import decision_of, pick, place

pytestmark = pytest.mark.integration


def test_an_empty_catalog_holds_every_order_and_sends_nothing(
    sandbox: Any, jet_connection: Any, decisions_db: psycopg.Connection, pull: Any
) -> None:
    catalog = sandbox.truth("catalog")
    node = catalog["fulfillment_nodes"][0]
    in_stock = pick(catalog, known=True, min_stock=20)
    unknown = pick(catalog, known=False)
    orders = [place(sandbox, node, (in_stock, 1)), place(sandbox, node, (unknown, 1))]
    pull()
    assert decisions_db.execute("SELECT count(*) FROM jet.products").fetchone() == (0,)

    with pytest.raises(CatalogNotLoaded) as refused:
        tasks.run_cycle(run_at(sandbox))

    message = str(refused.value)
    assert message.startswith("the catalog is empty"), "the reason comes first"
    assert "2 ready order(s)" in message
    assert "make load-inventory FILE=" in message
    assert sandbox.ledger() == [], "no reject or cancel reached Jet"
    assert decisions_db.execute("SELECT count(*) FROM jet.decisions").fetchone() == (0,)
    assert decisions_db.execute("SELECT count(*) FROM jet.actions").fetchone() == (0,)
    notes = decisions_db.execute(
        "SELECT merchant_order_id, body FROM jet.order_notes WHERE author = 'system:decisions' ORDER BY 1"
    ).fetchall()
    assert sorted(n[0] for n in notes) == sorted(orders)
    assert all("catalog is empty" in body for _, body in notes)
    # A second run holds them again, and says so again, without writing the notes twice.
    with pytest.raises(CatalogNotLoaded):
        tasks.run_cycle(run_at(sandbox, offset=timedelta(seconds=30)))
    assert decisions_db.execute("SELECT count(*) FROM jet.order_notes WHERE kind <> 'jet'").fetchone() == (2,)

    # The catalog arrives: the held orders are decided at the next run, as the rules say.
    from jet.catalog.demo import seed_from_sandbox

    seed_from_sandbox(decisions_db, catalog, run_at(sandbox).observed_at)
    tasks.run_cycle(run_at(sandbox, offset=timedelta(minutes=1)))
    assert decision_of(decisions_db, orders[0])[:2] == ("acknowledge", ["IN_STOCK"])
    assert decision_of(decisions_db, orders[1])[:2] == ("cancel", ["UNKNOWN_SKU"])
    assert tasks.check_catalog() == {"held_no_catalog": 0}, "nothing held any more"
