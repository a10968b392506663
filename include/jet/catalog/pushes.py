"""What the catalog sync wants Jet to have, as outbox writes.

A push is an action of the outbox (:mod:`jet.outbox`, kinds ``push_inventory`` and
``push_price`` on the SKU), so the failure policy of every write to Jet holds for it:
queued and committed before it is sent, its outcome recorded as its request returns, a
429 not an attempt (every sender waits with it), a refusal ``failed`` with Jet's message,
a doubtful one settled from Jet's GET of the SKU once quiet. ``jet.catalog_pushes`` shows
them as the push log (a view over ``jet.actions``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from jet.api.models import json_text, load_json
from jet.outbox import Queueable


@dataclass(frozen=True)
class Wanted:
    """A value the plan wants Jet to have: the body of one PUT (``call`` is the outbox kind)."""

    sku: str
    call: str
    body: dict[str, Any]

    @staticmethod
    def from_row(sku: str, call: str, body_text: str) -> Wanted:
        return Wanted(sku, call, load_json(body_text))  # money as Decimal, never float

    def queueable(self, run_key: str) -> Queueable:
        """The outbox write; its key is this value in this run, so a retried run does
        not queue the same value twice (a changed value is a new write)."""
        digest = hashlib.sha256(json_text(self.body).encode()).hexdigest()[:16]
        return Queueable(self.sku, self.body, f"{self.call}:{self.sku}/{run_key}/{digest}")
