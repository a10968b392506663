"""What an invoice holds, read from the warehouse: its lines at Jet's per-unit amounts
and the check that they add up to Jet's order totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

CENT = Decimal("0.01")


@dataclass(frozen=True)
class InvoiceLine:
    line_number: int
    order_item_id: str
    sku: str
    title: str | None
    quantity: int
    unit_price: Decimal
    price: Decimal
    tax: Decimal
    shipping: Decimal
    shipping_tax: Decimal
    shipped: int
    cancelled: int

    @property
    def total(self) -> Decimal:
        return self.price + self.tax + self.shipping + self.shipping_tax


@dataclass(frozen=True)
class Invoice:
    merchant_order_id: str
    reference_order_id: str
    alt_order_id: str | None
    status: str
    placed_at: datetime
    printed_at: datetime
    buyer_name: str | None
    buyer_phone: str | None
    ship_to: tuple[str, ...]
    shipping_request: str
    lines: tuple[InvoiceLine, ...]
    jet_totals: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]

    @property
    def subtotal(self) -> Decimal:
        return sum((ln.price for ln in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((ln.tax for ln in self.lines), Decimal(0))

    @property
    def shipping(self) -> Decimal:
        return sum((ln.shipping for ln in self.lines), Decimal(0))

    @property
    def shipping_tax(self) -> Decimal:
        return sum((ln.shipping_tax for ln in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax + self.shipping + self.shipping_tax

    @property
    def ties_out(self) -> bool:
        """True when the lines add up to Jet's order totals (components Jet omitted are skipped)."""
        mine = (self.subtotal, self.tax, self.shipping, self.shipping_tax)
        return all(jet is None or jet == ours for jet, ours in zip(self.jet_totals, mine, strict=True))

    @property
    def jet_totals_text(self) -> str:
        names = ("price", "tax", "shipping", "shipping tax")
        return ", ".join(
            f"{n} {money(v) if v is not None else '-'}" for n, v in zip(names, self.jet_totals, strict=True)
        )

    @property
    def file_stem(self) -> str:
        return f"{_safe(self.reference_order_id)}_{_safe(self.merchant_order_id)}"


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,.2f}"


def load_invoice(conn: psycopg.Connection, merchant_order_id: str, printed_at: datetime) -> Invoice:
    """Everything an invoice shows, from the warehouse. KeyError if the order is unknown."""
    head = conn.execute(read_sql("invoices_header.sql"), {"merchant_order_id": merchant_order_id}).fetchone()
    if head is None:
        raise KeyError(f"order {merchant_order_id} is not in the warehouse")
    (oid, ref, alt, status, placed, carrier, method, level, buyer, phone, recipient, r_phone, a1, a2, city, state,
     zip_code, t_price, t_tax, t_ship, t_ship_tax) = head  # fmt: skip
    lines = []
    for number, item_id, sku, title, qty, unit, tax, ship, ship_tax, shipped, cancelled in conn.execute(
        read_sql("invoices_lines.sql"), {"merchant_order_id": merchant_order_id}
    ):
        lines.append(
            InvoiceLine(
                line_number=number,
                order_item_id=item_id,
                sku=sku,
                title=title,
                quantity=qty,
                unit_price=unit,
                price=(unit * qty).quantize(CENT),
                tax=(tax * qty).quantize(CENT),
                shipping=(ship * qty).quantize(CENT),
                shipping_tax=(ship_tax * qty).quantize(CENT),
                shipped=shipped,
                cancelled=cancelled,
            )
        )
    ship_to = tuple(
        p
        for p in (
            recipient,
            a1,
            a2,
            " ".join(x for x in (f"{city}," if city else None, state, zip_code) if x),
            r_phone,
        )
        if p
    )
    return Invoice(
        merchant_order_id=oid,
        reference_order_id=ref,
        alt_order_id=alt,
        status=status,
        placed_at=placed,
        printed_at=printed_at,
        buyer_name=buyer,
        buyer_phone=phone,
        ship_to=ship_to,
        shipping_request=" / ".join(x for x in (carrier, method, level) if x) or "-",
        lines=tuple(lines),
        jet_totals=(t_price, t_tax, t_ship, t_ship_tax),
    )


def select_orders(
    conn: psycopg.Connection,
    merchant_order_ids: Sequence[str] | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> list[str]:
    """The orders to print: the ids given (those in the warehouse), or those placed in
    ``[placed_from, placed_to)``."""
    if merchant_order_ids:
        params: dict[str, Any] = {"ids": list(merchant_order_ids), "placed_from": None, "placed_to": None}
    elif placed_from is not None and placed_to is not None:
        params = {"ids": None, "placed_from": placed_from, "placed_to": placed_to}
    else:
        raise ValueError("give merchant_order_ids, or both placed_from and placed_to")
    return [r[0] for r in conn.execute(read_sql("invoices_orders.sql"), params)]
