"""Fixtures for the catalog sync tests: the demo catalog loaded from the sandbox's, an
empty push log, default toggles, and the sync's two steps run as the DAG runs them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from jet.runs import RunIdentity
from tests.integration.decisions.conftest import decisions_db, pull, sandbox_now, seeded  # noqa: F401 (fixtures)

SYNC_TABLES = ("jet.action_attempts", "jet.actions", "jet.jet_skus")
_runs = itertools.count(1)


@pytest.fixture
def catalog_db(decisions_db: psycopg.Connection) -> psycopg.Connection:  # noqa: F811
    """Empty push log and Jet SKU list; the three toggles on."""
    from jet.warehouse.scratch import empty

    empty(decisions_db, SYNC_TABLES)
    set_toggles(decisions_db)
    return decisions_db


def set_toggles(conn: psycopg.Connection, **values: bool) -> None:
    """A settings version with these toggles (others on), unless already in force."""
    wanted = {"push_stock": True, "push_prices": True, "follow_archive": True, **values}
    current = conn.execute("SELECT push_stock, push_prices, follow_archive FROM jet.current_settings").fetchone()
    if current != tuple(wanted.values()):
        conn.execute(
            "SELECT jet.change_settings('tests', p_push_stock => %s, p_push_prices => %s, p_follow_archive => %s)",
            tuple(wanted.values()),
        )


def sync_run(sandbox: Any) -> RunIdentity:
    """A run of jet_catalog_sync with a run id of its own."""
    return RunIdentity("jet_catalog_sync", f"test__{next(_runs)}", sandbox_now(sandbox))


@pytest.fixture
def sync(sandbox: Any, jet_connection: Any) -> Callable[[], dict[str, Any]]:
    """Run the DAG's two steps (follow Jet, then push) and return both receipts."""
    from jet.catalog.tasks import follow_jet, push_to_jet

    def _sync() -> dict[str, Any]:
        run = sync_run(sandbox)
        return {"follow": follow_jet(run), "push": push_to_jet(run)}

    return _sync


def writes(sandbox: Any, kind: str | None = None) -> list[dict[str, Any]]:
    """Catalog writes Jet applied (its ledger), optionally of one kind."""
    return [e for e in sandbox.ledger() if e["kind"] in ("inventory", "price") and kind in (None, e["kind"])]


def put_requests(sandbox: Any) -> list[dict[str, Any]]:
    """Every PUT that reached the sandbox's API, whatever its answer."""
    return [r for r in sandbox.requests_log() if r["method"] == "PUT"]


def jet_catalog(sandbox: Any) -> dict[str, dict[str, Any]]:
    """The sandbox's SKUs by code: inventory per node, price, node prices, archived."""
    return {s["merchant_sku"]: s for s in sandbox.truth("catalog")["skus"]}


def view(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """analytics.catalog_sync as dicts."""
    cur = conn.execute("SELECT * FROM analytics.catalog_sync ORDER BY sku, fulfillment_node")
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
