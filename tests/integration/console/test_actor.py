"""Who acted: a manual run's user is stamped on every note, refund and shipment request
its session writes, whichever code writes them, and a note's author is that user."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import psycopg
import pytest

from jet.warehouse.db import connect
from tests.integration.fulfillment.conftest import run_at, sandbox_now

pytestmark = pytest.mark.integration


def test_a_runs_user_is_recorded_on_what_it_writes(sandbox: Any, place: Any, cdb: psycopg.Connection) -> None:
    from jet.fulfillment.shipments import Shipment, ShipmentLine, record_shipment
    from jet.notes import add_note, add_user_note

    (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 2}])
    run = replace(run_at(sandbox, "jet_ship_order"), actor="alice")
    with connect(autocommit=True, actor=run.actor) as conn:
        add_user_note(conn, run, oid, "typed by someone else", "called the customer")
        record_shipment(
            conn, run,
            Shipment(
                oid, (ShipmentLine("SKU-A", 1),), carrier="UPS", tracking_number="1ZA", ship_date=sandbox_now(sandbox)
            ),
        )  # fmt: skip
    with connect(autocommit=True) as conn:  # the pipelines themselves: nobody
        add_note(conn, oid, "system:tests", "a pipeline's own note", run.observed_at, dedupe_key="t1")
    notes = cdb.execute(
        "SELECT author, kind, body, actor FROM jet.order_history WHERE merchant_order_id = %s ORDER BY note_id", (oid,)
    ).fetchall()
    assert ("alice", "user", "called the customer", "alice") in notes, (
        "the author is the run's user, not the typed name"
    )
    assert any(author == "system:fulfillment" and actor == "alice" for author, _, _, actor in notes)
    assert ("system:tests", "system", "a pipeline's own note", None) in notes
    assert cdb.execute("SELECT actor FROM jet.shipment_requests WHERE merchant_order_id = %s", (oid,)).fetchall() == [
        ("alice",)
    ]
    timeline = cdb.execute(
        "SELECT who, actor FROM jet.order_timeline WHERE merchant_order_id = %s AND side = 'ours'", (oid,)
    ).fetchall()
    assert ("alice", "alice") in timeline


def test_a_note_without_a_user_keeps_its_typed_author(sandbox: Any, place: Any, cdb: psycopg.Connection) -> None:
    from jet.notes import add_user_note

    (oid,) = place([{"merchant_sku": "SKU-A"}])
    run = run_at(sandbox, "jet_add_order_note")  # e.g. `airflow dags test` with no user
    with connect(autocommit=True) as conn:
        add_user_note(conn, run, oid, "Bob", "left a voicemail")
    assert cdb.execute(
        "SELECT author, actor FROM jet.order_notes WHERE merchant_order_id = %s AND kind = 'user'", (oid,)
    ).fetchall() == [("Bob", None)]


def test_the_session_setting_is_the_only_source_and_empty_means_nobody(cdb: psycopg.Connection) -> None:
    with connect(autocommit=True, actor="  ") as conn:
        assert conn.execute("SELECT jet.session_actor()").fetchone() == (None,)
    with connect(autocommit=False, actor="carol") as conn:
        conn.rollback()  # a rolled back transaction must not take the setting with it
        assert conn.execute("SELECT jet.session_actor()").fetchone() == ("carol",)
