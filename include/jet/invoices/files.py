"""Invoices written to files, one HTML (and PDF) per order; printing again overwrites them."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.invoices.invoice import load_invoice
from jet.invoices.render import render_html, render_pdf
from jet.paths import project_root

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)


def output_dir() -> Path:
    """Where invoices are written: ``$JET_OUTPUT_DIR/invoices``, else ``<project>/output/invoices``."""
    base = os.environ.get("JET_OUTPUT_DIR")
    if base:
        return Path(base) / "invoices"
    return project_root() / "output" / "invoices"


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
