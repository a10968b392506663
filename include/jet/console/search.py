"""The order list: find any order by a piece of what an operator knows about it.

Partial, case-insensitive matches on the merchant or reference order id, the customer's
name or (Jet's anonymised) email, a SKU, a tracking number or a return id; filters by
internal status, placed date and Jet exception state; newest first, paged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.api.vocabulary import EXCEPTION_STATES
from jet.sql import execute

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "EXCEPTION_FILTERS",
    "INTERNAL_STATUSES",
    "PER_PAGE",
    "OrderPage",
    "OrderRow",
    "SearchFilters",
    "SearchRefused",
    "like_pattern",
    "search_orders",
]

#: jet.order_status_map.internal_status values, in lifecycle order.
INTERNAL_STATUSES: tuple[str, ...] = (
    "new",
    "held",
    "acknowledged",
    "partially shipped",
    "shipped",
    "cancelled",
    "rejected",
    "returned",
    "refunded",
)
#: Exception filter values: any, none (no open exception), open (any open one), or one state.
EXCEPTION_FILTERS: tuple[str, ...] = ("any", "none", "open", *EXCEPTION_STATES)
PER_PAGE = 50
MAX_TEXT = 200


class SearchRefused(ValueError):
    """A filter value is not one the list understands; the message names it."""


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    internal_status: str | None = None
    placed_from: date | None = None
    placed_to: date | None = None  # inclusive (a UTC calendar day)
    exception: str = "any"

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT:
            raise SearchRefused(f"search text is limited to {MAX_TEXT} characters, got {len(self.text)}")
        if self.internal_status is not None and self.internal_status not in INTERNAL_STATUSES:
            raise SearchRefused(f"status must be one of {', '.join(INTERNAL_STATUSES)}, not {self.internal_status!r}")
        if self.exception not in EXCEPTION_FILTERS:
            raise SearchRefused(f"exception must be one of {', '.join(EXCEPTION_FILTERS)}, not {self.exception!r}")
        if self.placed_from and self.placed_to and self.placed_from > self.placed_to:
            raise SearchRefused(f"placed from {self.placed_from} is after placed to {self.placed_to}")


@dataclass(frozen=True)
class OrderRow:
    merchant_order_id: str
    reference_order_id: str
    customer_name: str | None
    customer_email: str | None
    internal_status: str | None
    jet_status: str
    exception_state: str | None
    placed_at: datetime
    ready_at: datetime | None
    ack_deadline: datetime | None  # set while the acknowledgement is still to be made
    ack_state: str | None
    units: int | None
    order_total: Decimal
    matched_on: str | None


@dataclass(frozen=True)
class OrderPage:
    rows: tuple[OrderRow, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first(self) -> int:
        return 0 if not self.rows else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def like_pattern(text: str) -> str | None:
    """An ILIKE pattern matching ``text`` anywhere, its own ``%``, ``_`` and ``\\`` taken
    literally; None for blank text (no text filter)."""
    text = text.strip()
    if not text:
        return None
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day_start(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(0), tzinfo=UTC)


def search_orders(
    conn: psycopg.Connection, filters: SearchFilters, now: datetime, page: int = 1, per_page: int = PER_PAGE
) -> OrderPage:
    """One page of the orders matching ``filters``, newest placed first."""
    page = max(1, page)
    params: dict[str, Any] = {
        "pattern": like_pattern(filters.text),
        "internal_status": filters.internal_status,
        "placed_from": _day_start(filters.placed_from),
        "placed_to": _day_start(filters.placed_to + timedelta(days=1)) if filters.placed_to else None,
        "exception": filters.exception,
        "limit": per_page,
        "offset": (page - 1) * per_page,
        "now": now,
    }
    rows = execute(conn, "console_search.sql", params).fetchall()
    total = int(rows[0][-1]) if rows else 0
    if not rows and page > 1:
        # Past the last page (the list shrank meanwhile): still say how many there are.
        first = execute(conn, "console_search.sql", {**params, "limit": 1, "offset": 0}).fetchone()
        total = int(first[-1]) if first else 0
    return OrderPage(rows=tuple(OrderRow(*r[:-1]) for r in rows), total=total, page=page, per_page=per_page)
