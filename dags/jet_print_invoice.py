"""
### Print invoices

Renders a printable invoice per order - HTML, and PDF unless switched off - with the
order's lines, units, prices, tax, shipping, buyer and ship-to address, from the
warehouse. Give **merchant_order_ids**, or a **placed_from** / **placed_to** date range
(UTC, inclusive).

Files: `<output>/invoices/<reference_order_id>_<merchant_order_id>.html|.pdf`, where
`<output>` is `$JET_OUTPUT_DIR` if set, else `<project>/output` (gitignored).
Printing again overwrites the same files. An invoice whose lines do not add up to
Jet's order totals says so in red (and the run logs it).
"""

from __future__ import annotations

from airflow.sdk import dag, task

from jet.dag_defaults import START_DATE, default_args, tags
from jet.dag_params import print_invoice_params


@dag(
    dag_id="jet_print_invoice",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=2,
    default_args=default_args(),
    description="By hand: print orders' invoices (HTML and PDF)",
    tags=tags("manual", "invoices"),
    doc_md=__doc__,
    params=print_invoice_params(),
)
def jet_print_invoice() -> None:
    @task(multiple_outputs=False)
    def print_invoices(**context) -> dict:
        from jet.dag_params import checked_params
        from jet.invoices.tasks import print_for
        from jet.runs import run_identity

        p = checked_params(context)
        return print_for(
            run_identity(context),
            merchant_order_ids=p["merchant_order_ids"],
            placed_from=p["placed_from"],
            placed_to=p["placed_to"],
            pdf=p["pdf"],
        )

    print_invoices()


jet_print_invoice()
