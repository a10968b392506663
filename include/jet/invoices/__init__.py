"""Printable invoices per order: HTML (Jinja2) and PDF (fpdf2), from the warehouse.

Lines bill the units ordered at the per-unit amounts Jet sent (price, tax, shipping,
shipping tax), so an invoice's totals equal Jet's ``order_totals`` (the sandbox's
reading: totals = per-unit amounts × quantity). When they do not tie out the invoice
says so in red rather than hiding it.

Files go to ``<output>/invoices/<reference_order_id>_<merchant_order_id>.{html,pdf}``
where ``<output>`` is ``$JET_OUTPUT_DIR`` if set, else ``<project>/output`` (gitignored).
Printing again overwrites the same files.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
CENT = Decimal("0.01")


def output_dir() -> Path:
    """Where invoices are written: ``$JET_OUTPUT_DIR/invoices``, else ``<project>/output/invoices``."""
    base = os.environ.get("JET_OUTPUT_DIR")
    if base:
        return Path(base) / "invoices"
    root = os.environ.get("JET_PROJECT_ROOT") or str(Path(__file__).resolve().parents[3])
    return Path(root) / "output" / "invoices"


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


def render_html(invoice: Invoice) -> str:
    """The invoice as a standalone printable HTML page."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined
    )
    return env.get_template("invoice.html.j2").render(inv=invoice, money=money)


def _latin1(text: Any) -> str:
    # The PDF core fonts cover Latin-1 only; anything else prints as '?', never fails.
    return str(text if text is not None else "").encode("latin-1", errors="replace").decode("latin-1")


def render_pdf(invoice: Invoice) -> bytes:
    """The invoice as a one-or-more-page A4 PDF (fpdf2, core fonts, no system packages)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Invoice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for text in (
        f"Order {invoice.reference_order_id}   (Jet order id {invoice.merchant_order_id})",
        f"Placed {invoice.placed_at:%Y-%m-%d %H:%M} UTC   Status {invoice.status}   "
        f"Printed {invoice.printed_at:%Y-%m-%d %H:%M} UTC",
        f"Buyer: {invoice.buyer_name or ''} {invoice.buyer_phone or ''}",
        "Ship to: " + ", ".join(invoice.ship_to),
        f"Shipping: {invoice.shipping_request}",
    ):
        pdf.cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (8, 30, 52, 10, 18, 18, 16, 18, 20)
    heads = ("#", "SKU", "Item", "Qty", "Unit", "Price", "Tax", "Shipping", "Total")
    pdf.set_font("Helvetica", "B", 8)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 6, h, border="B", align="R" if h not in ("#", "SKU", "Item") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for ln in invoice.lines:
        cells = (
            str(ln.line_number),
            ln.sku[:18],
            (ln.title or "")[:34],
            str(ln.quantity),
            money(ln.unit_price),
            money(ln.price),
            money(ln.tax),
            money(ln.shipping + ln.shipping_tax),
            money(ln.total),
        )
        for i, (w, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(w, 6, _latin1(text), align="L" if i < 3 else "R")
        pdf.ln()
    pdf.ln(2)
    for label, value, bold in (
        ("Subtotal", invoice.subtotal, False),
        ("Tax", invoice.tax, False),
        ("Shipping", invoice.shipping, False),
        ("Shipping tax", invoice.shipping_tax, False),
        ("Total (USD)", invoice.total, True),
    ):
        pdf.set_font("Helvetica", "B" if bold else "", 9)
        pdf.cell(sum(widths) - 30, 6, label, align="R")
        pdf.cell(30, 6, money(value), align="R", new_x="LMARGIN", new_y="NEXT")
    if not invoice.ties_out:
        pdf.set_text_color(170, 0, 0)
        pdf.multi_cell(0, 5, _latin1(f"These lines do not add up to Jet's order totals ({invoice.jet_totals_text})."))
    return bytes(pdf.output())


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


def print_invoices(
    conn: psycopg.Connection,
    order_ids: Sequence[str],
    printed_at: datetime,
    directory: Path | None = None,
    *,
    pdf: bool = True,
) -> dict[str, Any]:
    """Render and write each order's invoice; returns the folder and counts."""
    directory = directory or output_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written, not_tied = 0, []
    for order_id in order_ids:
        invoice = load_invoice(conn, order_id, printed_at)
        (directory / f"{invoice.file_stem}.html").write_text(render_html(invoice), encoding="utf-8")
        if pdf:
            (directory / f"{invoice.file_stem}.pdf").write_bytes(render_pdf(invoice))
        if not invoice.ties_out:
            not_tied.append(order_id)
            log.warning("invoice of order %s does not tie out to Jet's totals: %s", order_id, invoice.jet_totals_text)
        written += 1
    log.info("%d invoice(s) written to %s", written, directory)
    return {"directory": str(directory), "invoices": written, "pdf": pdf, "not_tied_out": not_tied}
