"""Landing Jet's returns: list the open ones (and every one the warehouse still holds as
open), fetch each, and land the raw body (``jet.return_payloads``) and the typed rows
(``jet.returns``, ``jet.return_items``). An invalid body (or one the database refuses)
goes to ``jet.quarantine`` (kind ``return``), one Jet will not serve to ``jet.unreadable``,
and the rest flow on."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jet.api.errors import JetHttpError
from jet.api.vocabulary import OPEN_RETURN_STATUSES
from jet.sql import execute, read_sql
from jet.warehouse.landing import (
    UNREADABLE_ERRORS,
    OutageWatch,
    known_unreadable,
    land_or_quarantine,
    parse_or_quarantine,
    record_read_again,
    record_unreadable,
    take_turn,
)

if TYPE_CHECKING:
    import psycopg

    from jet.api.models import ReturnDetail
    from jet.runs import RunIdentity

log = logging.getLogger(__name__)


def fetch_raw(client: Any, return_id: str) -> bytes:
    """The return's body exactly as Jet served it (GET, retried by the hook)."""
    return client.get_return_raw(return_id)


def _rows(detail: ReturnDetail) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = {
        "id": detail.merchant_return_authorization_id,
        "reference_return_authorization_id": detail.reference_return_authorization_id,
        "alt_return_authorization_id": detail.alt_return_authorization_id,
        "merchant_order_id": detail.merchant_order_id,
        "reference_order_id": detail.reference_order_id,
        "alt_order_id": detail.alt_order_id,
        "return_status": detail.return_status,
        "refund_without_return": bool(detail.refund_without_return),
        "return_date": detail.return_date,
        "shipping_carrier": detail.shipping_carrier,
        "tracking_number": detail.tracking_number,
        "merchant_return_charge": detail.merchant_return_charge,
        "agree_to_return_charge": detail.agree_to_return_charge,
        "return_charge_feedback": detail.return_charge_feedback,
        "completed_at": detail.completed_date,
    }
    granted = {i.order_item_id: i for i in detail.items}
    items = []
    for sku in detail.return_merchant_skus:
        g = granted.pop(sku.order_item_id, None)
        req, got = sku.requested_refund_amount, g.refund_amount if g else None
        items.append(
            {
                "id": detail.merchant_return_authorization_id,
                "order_item_id": sku.order_item_id,
                "merchant_sku": sku.merchant_sku,
                "title": sku.merchant_sku_title,
                "return_quantity": sku.return_quantity,
                "reason": sku.reason,
                "requested_principal": req.principal if req else None,
                "requested_tax": req.tax if req else None,
                "requested_shipping_cost": req.shipping_cost if req else None,
                "requested_shipping_tax": req.shipping_tax if req else None,
                "quantity_returned": g.total_quantity_returned if g else None,
                "refund_quantity": g.order_return_refund_qty if g else None,
                "refund_feedback": g.return_refund_feedback if g else None,
                "notes": g.notes if g else None,
                "refund_principal": got.principal if got else None,
                "refund_tax": got.tax if got else None,
                "refund_shipping_cost": got.shipping_cost if got else None,
                "refund_shipping_tax": got.shipping_tax if got else None,
            }
        )
    for g in granted.values():  # granted lines Jet did not list as requested (should not happen)
        got = g.refund_amount
        items.append(
            {
                "id": detail.merchant_return_authorization_id,
                "order_item_id": g.order_item_id,
                "merchant_sku": None,
                "title": None,
                "return_quantity": g.total_quantity_returned or 0,
                "reason": None,
                "requested_principal": None,
                "requested_tax": None,
                "requested_shipping_cost": None,
                "requested_shipping_tax": None,
                "quantity_returned": g.total_quantity_returned,
                "refund_quantity": g.order_return_refund_qty,
                "refund_feedback": g.return_refund_feedback,
                "notes": g.notes,
                "refund_principal": got.principal if got else None,
                "refund_tax": got.tax if got else None,
                "refund_shipping_cost": got.shipping_cost if got else None,
                "refund_shipping_tax": got.shipping_tax if got else None,
            }
        )
    return head, items


@dataclass
class LandReceipt:
    """What one landing of returns did (XCom). Every return listed ends loaded,
    quarantined (``refused`` of them by the database) or ``unreadable``."""

    listed: int = 0
    loaded: int = 0
    changed: int = 0
    new: int = 0
    quarantined: int = 0
    refused: int = 0
    unreadable: int = 0

    def as_xcom(self) -> dict[str, int]:
        return dict(self.__dict__)


def land_returns(
    conn: psycopg.Connection, client: Any, run: RunIdentity, ids: Sequence[str] | None = None
) -> LandReceipt:
    """Fetch and land Jet's open returns and the ones we hold as open (or ``ids``).

    One bad return never stops the others: a body that is invalid (or another return's)
    is quarantined with its raw body, one the database refuses is quarantined with the
    database's reason (each return lands in its own savepoint), one Jet will not serve is
    recorded in ``jet.unreadable``. Landings of returns take turns.
    """
    if ids is None:
        listed: list[str] = []
        for status in OPEN_RETURN_STATUSES:
            listed += client.list_returns(status)
        listed += [r[0] for r in execute(conn, "returns_open_ids.sql")]
        ids = list(dict.fromkeys(listed))
    receipt = LandReceipt(listed=len(ids))
    batch_key = f"{run.run_key}/returns"
    known = known_unreadable(conn, "return", ids)
    failing = OutageWatch(known, "return")
    fetched: list[tuple[str, bytes]] = []
    failures: list[tuple[str, JetHttpError]] = []
    for rid in [i for i in ids if i not in known] + [i for i in ids if i in known]:
        try:
            fetched.append((rid, fetch_raw(client, rid)))
            failure = None
        except UNREADABLE_ERRORS as failure_:  # a 404 too: Jet no longer serves it
            failure = failure_
            failures.append((rid, failure))
        if failing.saw(rid, failure):
            break
    receipt.unreadable = len(failures)
    with conn.transaction(), conn.cursor() as cur:
        take_turn(cur, "jet.returns")
        for rid, raw in fetched:
            outcome = _land_one(conn, cur, rid, raw, run, batch_key)
            if isinstance(outcome, str):
                receipt.quarantined += 1
                receipt.refused += outcome == "refused"
                continue
            receipt.loaded += 1
            _, written = outcome
            if written is None:
                continue  # same payload as last time: nothing to change
            receipt.changed += 1
            receipt.new += 1 if written else 0
        record_unreadable(cur, "return", failures, run.observed_at, batch_key)
        record_read_again(cur, "return", [rid for rid, _ in fetched], run.observed_at)
        # Each return opened or moved on is noted on its order by the table's trigger (0056).
    log.info("returns: %s", receipt.as_xcom())
    failing.check(f"{receipt.loaded} returns landed, {receipt.unreadable} recorded unreadable")
    return receipt


def _land_one(
    conn: psycopg.Connection, cur: psycopg.Cursor, rid: str, raw: bytes, run: RunIdentity, batch_key: str
) -> tuple[ReturnDetail, bool | None] | str:
    """Land one return body: ``(detail, inserted)`` (``inserted`` None when unchanged), or
    ``"quarantined"`` / ``"refused"`` when it was kept aside."""
    from jet.api.models import ReturnDetail

    stamps: dict[str, Any] = {"observed_at": run.observed_at, "batch_key": batch_key}
    detail, _ = parse_or_quarantine(cur, ReturnDetail, "return", rid, "merchant_return_authorization_id", raw, **stamps)
    if detail is None:
        return "quarantined"
    digest = hashlib.sha256(raw).hexdigest()
    head, items = _rows(detail)

    def write() -> bool | None:
        cur.execute(
            read_sql("returns_payload_upsert.sql"),
            {"id": rid, "payload_hash": digest, "payload": raw.decode("utf-8"), "observed_at": run.observed_at},
        )
        written = cur.execute(
            read_sql("returns_upsert.sql"), {**head, "payload_hash": digest, "observed_at": run.observed_at}
        ).fetchone()
        if written is None:
            return None
        cur.executemany(read_sql("returns_item_upsert.sql"), items)
        return bool(written[1])

    inserted, refused = land_or_quarantine(conn, cur, write, kind="return", object_id=rid, raw=raw, **stamps)
    return "refused" if refused else (detail, inserted)


def counts(conn: psycopg.Connection) -> dict[str, int]:
    """Returns per Jet status."""
    return dict(conn.execute(read_sql("returns_counts.sql")).fetchall())
