"""Follow the SKUs as Jet has them: archived or deleted there → archived here; restored → restored.

Jet's SKU list (``GET /merchant-skus``, pages of :data:`PAGE_SIZE`) says which SKUs exist;
the archived ones come from Jet's listing by status
(``GET /merchant-skus/bystatus/Archived/{start}/{count}``). One GET per SKU for its status
would be 50,000 requests an hour for a large catalog, so it is the fallback only, for a
Jet that answers 404 to the listing by status.

A SKU Jet listed before and no longer lists was deleted on Jet: it is archived here too
(it can no longer sell). A SKU of the catalog that Jet never listed is "not on Jet": not
archived, but not pushed either (Jet would refuse it). SKUs Jet lists that the catalog
lacks are named in the receipt and in ``analytics.catalog_sync``.

A list that suddenly lacks most of the SKUs it held is far likelier a fault of Jet's
listing than a mass deletion: past :data:`MAX_LOST_SHARE` the pull is refused, and
nothing is archived.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jet.api.errors import JetNotFound
from jet.failures import PermanentError
from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.api.hook import JetHook

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
ARCHIVED = "Archived"
MAX_LOST_SHARE = 0.5  # of the SKUs listed at the last pull
MIN_LOST_REFUSED = 20  # a small catalog may lose a few SKUs at once for real
SHOWN = 20  # SKUs named in the receipt


class JetListSuspect(PermanentError):
    """Jet's SKU list lost too many SKUs at once to be believed; nothing was archived."""


def pull(hook: JetHook, *, page_size: int = PAGE_SIZE) -> dict[str, bool]:
    """Every SKU Jet lists, with whether it is archived there."""
    listed = list(dict.fromkeys(hook.iter_skus(page_size=page_size)))
    try:
        archived = set(hook.iter_skus_by_status(ARCHIVED, page_size=page_size))
    except JetNotFound:
        log.warning("Jet has no listing by status: reading the status of %d SKU(s) one by one", len(listed))
        with ThreadPoolExecutor(max_workers=hook.settings.max_concurrency) as pool:
            flags = pool.map(lambda sku: bool(hook.get_sku_raw(sku).get("is_archived")), listed)
            archived = {sku for sku, flag in zip(listed, flags, strict=True) if flag}
    return {sku: sku in archived for sku in listed}


def apply(
    conn: psycopg.Connection,
    jet_skus: dict[str, bool],
    run_id: str,
    pulled_at: datetime,
    *,
    accept_mass_delisting: bool = False,
) -> dict[str, Any]:
    """Record Jet's list and mark the products (one transaction); returns the receipt."""
    from jet.orders.load import copy_rows

    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("catalog_jet_stage.sql"))
        copy_rows(cur, "stage_jet_skus", ("sku", "is_archived"), jet_skus.items())
        lost, listed_before = one(cur.execute(read_sql("catalog_jet_lost.sql")).fetchone(), "catalog_jet_lost.sql")
        if not accept_mass_delisting and lost >= MIN_LOST_REFUSED and lost > MAX_LOST_SHARE * listed_before:
            raise JetListSuspect(
                f"Jet's SKU list lacks {lost} of the {listed_before} SKUs it listed at the last pull: "
                "more likely a fault of the listing than deletions, so nothing was archived. If Jet really "
                "deleted them, run jet_catalog_sync again by hand with the Param accept_mass_delisting"
            )
        params = {"pulled_at": pulled_at, "run_id": run_id}
        statements = [s for s in read_sql("catalog_jet_apply.sql").split(";") if _has_sql(s)]
        for statement in statements[:-1]:
            cur.execute(statement, params)
        changed = cur.execute(statements[-1], params).fetchall()
        lacking, lacking_shown = one(
            cur.execute(read_sql("catalog_jet_lacking.sql"), {"shown": SHOWN}).fetchone(), "catalog_jet_lacking.sql"
        )
        not_on_jet, not_on_jet_shown = one(
            cur.execute(read_sql("catalog_not_on_jet.sql"), {"shown": SHOWN}).fetchone(), "catalog_not_on_jet.sql"
        )
    archived_now = sorted(sku for sku, was, now, _ in changed if now and not was)
    restored_now = sorted(sku for sku, was, now, _ in changed if was and not now)
    receipt = {
        "jet_skus": len(jet_skus),
        "archived_on_jet": sum(jet_skus.values()),
        "delisted": lost,
        "archived_now": len(archived_now),
        "archived_now_skus": archived_now[:SHOWN],
        "restored_now": len(restored_now),
        "restored_now_skus": restored_now[:SHOWN],
        "on_jet_not_in_catalog": lacking,
        "on_jet_not_in_catalog_skus": list(lacking_shown or []),
        "in_catalog_not_on_jet": not_on_jet,
        "in_catalog_not_on_jet_skus": list(not_on_jet_shown or []),
    }
    log.info("Jet's SKU list: %s", receipt)
    return receipt


def follow(
    conn: psycopg.Connection, hook: JetHook, run_id: str, pulled_at: datetime, *, accept_mass_delisting: bool = False
) -> dict[str, Any]:
    """Pull Jet's SKUs and follow them (see the module docstring)."""
    return apply(conn, pull(hook), run_id, pulled_at, accept_mass_delisting=accept_mass_delisting)


def _has_sql(statement: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in statement.splitlines())
