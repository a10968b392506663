"""The internal status map derives new / held / rejected / cancelled from Jet's status
plus our decisions and actions (the later statuses are covered by the lifecycle test)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.integration.fulfillment.conftest import run_at

pytestmark = pytest.mark.integration


def _decide(conn: psycopg.Connection, oid: str, outcome: str, at: Any) -> int:
    """A real (non dry-run) decision row, as jet.decisions.store writes it."""
    return conn.execute(
        "INSERT INTO jet.decisions (merchant_order_id, run_key, decided_at, dry_run, outcome, reasons, rules_version,"
        " settings_version, inputs) VALUES (%s, 'test', %s, false, %s, ARRAY['TEST'], 'test',"
        " (SELECT version FROM jet.current_settings), '{}') RETURNING decision_id",
        (oid, at, outcome),
    ).fetchone()[0]


def _action(conn: psycopg.Connection, oid: str, kind: str, decision_id: int, state: str, at: Any) -> None:
    conn.execute(
        "INSERT INTO jet.actions (merchant_order_id, kind, decision_id, body, state, requested_by, created_at)"
        " VALUES (%s, %s, %s, '{}', %s, 'test', %s)",
        (oid, kind, decision_id, state, at),
    )


def test_statuses_before_shipment(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    new, held, rejected, cancelled, acknowledged = place([{"merchant_sku": "SKU-A", "quantity": 1}], count=5,
                                                         acknowledge=False)  # fmt: skip
    at = run_at(sandbox, "jet_decide_orders").observed_at
    _decide(fdb, held, "hold", at)
    _action(fdb, rejected, "reject", _decide(fdb, rejected, "reject", at), "applied", at)
    _action(fdb, cancelled, "cancel", _decide(fdb, cancelled, "cancel", at), "applied", at)
    _action(fdb, acknowledged, "acknowledge", _decide(fdb, acknowledged, "acknowledge", at), "sending", at)

    statuses = dict(fdb.execute("SELECT merchant_order_id, internal_status FROM jet.order_status_map").fetchall())
    assert statuses == {
        new: "new",
        held: "held",
        rejected: "rejected",
        cancelled: "cancelled",
        acknowledged: "acknowledged",
    }
    # Every decision and action left a system note on its order (Jet's own events aside).
    notes = dict(
        fdb.execute("SELECT merchant_order_id, count(*) FROM jet.order_notes WHERE kind <> 'jet' GROUP BY 1").fetchall()
    )
    assert notes == {held: 1, rejected: 2, cancelled: 2, acknowledged: 2}
