"""Order notes: an append-only, dated history per order (``jet.order_notes``).

The database refuses UPDATE and DELETE on the table (a trigger), so a note, once
written, stays. People add notes with the ``jet_add_order_note`` DAG; the pipelines
write system notes (decisions and outbox actions through triggers of migration 0007,
shipments, returns and refunds through :func:`add_note`).

SQL callers (the decision code, psql) use the same function the Python side uses::

    SELECT jet.add_order_note(p_merchant_order_id, p_author, p_body, p_noted_at,
                              p_kind => 'system', p_source => NULL, p_dedupe_key => NULL);

Modules: ``store`` (append and read notes), ``tasks`` (the ``jet_add_order_note`` task body).
"""

from jet.notes.store import MAX_NOTE_LENGTH, Note, NoteRefused, add_note, add_user_note, history

__all__ = ["MAX_NOTE_LENGTH", "Note", "NoteRefused", "add_note", "add_user_note", "history"]
