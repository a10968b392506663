"""Task body of jet_load_inventory: a stock file from the inbox into the warehouse."""

from __future__ import annotations

from typing import Any

from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect


@fail_fast
def load_from_inbox(run: RunIdentity, file_name: str) -> dict[str, Any]:
    """Validate and load the inbox file ``file_name``, stamped with the run's time.

    A refused file (outside the inbox, bad rows) fails the task at once: it would be
    refused again on every retry.
    """
    from jet.catalog.inbox import resolve
    from jet.catalog.load_csv import load_file

    path = resolve(file_name)
    with connect() as conn:
        receipt = load_file(conn, path, run.observed_at)
    return {"file": path.name, **receipt.as_xcom()}
