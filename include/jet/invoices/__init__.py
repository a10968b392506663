"""Printable invoices per order: HTML (Jinja2) and PDF (fpdf2), from the warehouse.

Lines bill the units ordered at the per-unit amounts Jet sent (price, tax, shipping,
shipping tax), so an invoice's totals equal Jet's ``order_totals`` (the sandbox's
reading: totals = per-unit amounts × quantity). When they do not tie out the invoice
says so in red rather than hiding it.

Files go to ``<output>/invoices/<reference_order_id>_<merchant_order_id>.{html,pdf}``
where ``<output>`` is ``$JET_OUTPUT_DIR`` if set, else ``<project>/output`` (gitignored).
Printing again overwrites the same files.

Modules: ``invoice`` (what an invoice holds, read from the warehouse), ``render`` (HTML
and PDF), ``files`` (one file per order), ``tasks`` (the ``jet_print_invoice`` task body).
"""

from jet.invoices.files import output_dir, print_invoices
from jet.invoices.invoice import Invoice, InvoiceLine, load_invoice, money, select_orders
from jet.invoices.render import render_html, render_pdf

__all__ = [
    "Invoice",
    "InvoiceLine",
    "load_invoice",
    "money",
    "output_dir",
    "print_invoices",
    "render_html",
    "render_pdf",
    "select_orders",
]
