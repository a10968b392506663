"""Order notes are append-only: the database itself refuses to change or delete them."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from jet.notes import NoteRefused, add_user_note, history
from tests.integration.fulfillment.conftest import run_at

pytestmark = pytest.mark.integration


def test_notes_cannot_be_edited_or_deleted(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place([{"merchant_sku": "SKU-A", "quantity": 1}])
    run = run_at(sandbox, "jet_add_order_note")
    note_id = add_user_note(fdb, run, oid, "alice", "customer called: leave at the back door")
    assert add_user_note(fdb, run, oid, "alice", "customer called: leave at the back door") == note_id, (
        "a retry adds nothing"
    )
    add_user_note(fdb, run_at(sandbox, "jet_add_order_note"), oid, "bob", "done")

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only: UPDATE refused"):
        fdb.execute("UPDATE jet.order_notes SET body = 'edited' WHERE note_id = %s", (note_id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only: DELETE refused"):
        fdb.execute("DELETE FROM jet.order_notes WHERE note_id = %s", (note_id,))
    # Refused by the notes' foreign key, or first by the append-only status history it cascades to.
    with pytest.raises((psycopg.errors.ForeignKeyViolation, psycopg.errors.InsufficientPrivilege)):
        fdb.execute("DELETE FROM jet.orders WHERE merchant_order_id = %s", (oid,))

    notes = history(fdb, oid)
    assert [(n.author, n.kind, n.body) for n in notes if n.kind == "user"] == [
        ("alice", "user", "customer called: leave at the back door"),
        ("bob", "user", "done"),
    ]
    assert next(n for n in notes if n.kind == "user").noted_at == run.observed_at
    assert notes[0].body.endswith("placed by the customer"), "the story starts with Jet's own first event"


def test_a_note_needs_a_known_order_and_text(sandbox: Any, fdb: psycopg.Connection) -> None:
    with pytest.raises(NoteRefused, match="not in the warehouse"):
        add_user_note(fdb, run_at(sandbox, "jet_add_order_note"), "0" * 32, "alice", "hello")
    with pytest.raises(NoteRefused, match="needs some text"):
        add_user_note(fdb, run_at(sandbox, "jet_add_order_note"), "0" * 32, "alice", "  ")
