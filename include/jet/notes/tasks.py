"""Task body for jet_add_order_note (kept out of the DAG file so it stays a declaration)."""

from __future__ import annotations

import logging
from typing import Any

from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect

log = logging.getLogger(__name__)


@fail_fast
def add_note(run: RunIdentity, merchant_order_id: str, author: str, text: str) -> dict[str, Any]:
    """Append a person's note to an order (one per DAG run)."""
    from jet.notes import add_user_note

    with connect(autocommit=True, actor=run.actor) as conn:
        note_id = add_user_note(conn, run, merchant_order_id, author, text)
    log.info("note %d added to order %s by %s", note_id, merchant_order_id, author)
    return {"merchant_order_id": merchant_order_id, "note_id": note_id}
