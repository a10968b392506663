"""Invoices render for the sandbox's orders, and their totals equal the order's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jet.invoices import load_invoice, print_invoices, render_html
from tests.integration.fulfillment.conftest import run_at

pytestmark = pytest.mark.integration


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def test_invoices_render_and_tie_out_to_the_order(
    sandbox: Any, place: Any, fdb: psycopg.Connection, tmp_path: Path
) -> None:
    ids = sandbox.generate_orders(8, status="ready")  # random lines, taxes and shipping
    from jet.orders.tasks import import_orders

    run = run_at(sandbox, "jet_print_invoice")
    import_orders(run, merchant_order_ids=ids)
    receipt = print_invoices(fdb, ids, run.observed_at, tmp_path)
    assert receipt["invoices"] == 8
    assert receipt["not_tied_out"] == []

    truth = {o["order"]["merchant_order_id"]: o["order"] for o in sandbox.truth_orders()}
    for oid in ids:
        invoice = load_invoice(fdb, oid, run.observed_at)
        totals = truth[oid]["order_totals"]["item_price"]
        assert invoice.subtotal == dec(totals["base_price"])
        assert invoice.tax == dec(totals["item_tax"])
        assert invoice.shipping == dec(totals["item_shipping_cost"])
        assert invoice.shipping_tax == dec(totals["item_shipping_tax"])
        assert invoice.total == sum(dec(v) for v in totals.values())
        html = (tmp_path / f"{invoice.file_stem}.html").read_text()
        assert truth[oid]["reference_order_id"] in html
        assert f"{invoice.total:,.2f}" in html
        assert truth[oid]["shipping_to"]["address"]["city"] in html
        pdf = (tmp_path / f"{invoice.file_stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF-")
        assert len(pdf) > 1000


def test_html_is_escaped(sandbox: Any, place: Any, fdb: psycopg.Connection) -> None:
    (oid,) = place([{"merchant_sku": "<script>x</script>", "quantity": 1}], acknowledge=False)
    html = render_html(load_invoice(fdb, oid, run_at(sandbox, "jet_print_invoice").observed_at))
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
