"""Order notes: an append-only, dated history per order (``jet.order_notes``).

The database refuses UPDATE and DELETE on the table (a trigger), so a note, once
written, stays. The table is an order's whole timeline (``jet.order_history``): every
event that is a row somewhere (Jet's dates and statuses, decisions, outbox actions,
shipments, returns, refunds) is noted by a trigger on that row's table (migrations 0007
and 0056), so no Python code writes those. What is left for :func:`add_note` is what
has no other row: a person's note (the ``jet_add_order_note`` DAG, the inbox's
comment) and the few pipeline notes about something that did not happen (an order
left undecided because the catalog is empty).

SQL callers (the decision code, psql) use the same function the Python side uses::

    SELECT jet.add_order_note(p_merchant_order_id, p_author, p_body, p_noted_at,
                              p_kind => 'system', p_source => NULL, p_dedupe_key => NULL);

Modules: ``store`` (append and read notes), ``tasks`` (the ``jet_add_order_note`` task body).
"""

from jet.notes.store import MAX_NOTE_LENGTH, Note, NoteRefused, add_note, add_user_note, history

__all__ = ["MAX_NOTE_LENGTH", "Note", "NoteRefused", "add_note", "add_user_note", "history"]
