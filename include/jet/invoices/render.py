"""An invoice rendered for people: a printable HTML page (Jinja2) and a PDF (fpdf2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jet.invoices.invoice import Invoice, money

TEMPLATES = Path(__file__).with_name("templates")


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
