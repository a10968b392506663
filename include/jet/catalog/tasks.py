"""Task bodies: jet_load_inventory (a stock file from the inbox into the warehouse) and
jet_catalog_sync (follow Jet's SKUs, push stock and prices)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jet.failures import fail_fast
from jet.runs import RunIdentity
from jet.warehouse.db import connect

log = logging.getLogger(__name__)


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


def sync_run_id(run: RunIdentity) -> str:
    """The push log's run: the DAG run's own id (unique), never a one-second timestamp."""
    return f"{run.dag_id}/{run.dag_run_id}" if run.dag_run_id else run.run_key


@contextmanager
def _sync_lock(holder: str) -> Iterator[None]:
    """The catalog sync's pipeline lock, held on a connection of its own for the whole step."""
    from jet.warehouse.locks import holding

    with connect() as lock_conn, holding(lock_conn, "catalog_sync", holder=holder):
        yield


def follow_jet(run: RunIdentity, *, accept_mass_delisting: bool = False) -> dict[str, Any]:
    """Task body: pull Jet's SKU list and statuses and follow them (toggle ``follow_archive``)."""
    from jet.api.hook import JetHook
    from jet.catalog.jet_status import follow
    from jet.catalog.sync import current_settings

    run_id = sync_run_id(run)
    with _sync_lock(run_id), connect(autocommit=True) as conn:
        settings = current_settings(conn)
        if not settings.follow_archive:
            log.info("follow_archive is off (settings v%d): Jet's SKU list is not pulled", settings.version)
            return {"follow_archive": False, "settings_version": settings.version}
        hook = JetHook()
        try:
            receipt = follow(conn, hook, run_id, run.observed_at, accept_mass_delisting=accept_mass_delisting)
        finally:
            hook.close()
    return {"follow_archive": True, "settings_version": settings.version, **receipt}


def push_to_jet(run: RunIdentity) -> dict[str, Any]:
    """Task body: push the stock and prices that differ from what Jet accepted last."""
    from jet.api.hook import JetHook
    from jet.catalog.sync import push_catalog

    run_id = sync_run_id(run)
    with _sync_lock(run_id), connect(autocommit=True) as conn:
        hook = JetHook()
        try:
            return push_catalog(conn, hook, run)
        finally:
            hook.close()
