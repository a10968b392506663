"""
### Push stock and prices to Jet; follow the SKUs Jet archived

Runs every hour, after every catalog load (the `jet_catalog_loaded` Asset), and by hand.
Three toggles in the versioned settings (`jet.change_settings`), all on by default:

- **follow_archive**: pull Jet's SKU list and the archived SKUs. A SKU archived or
  deleted on Jet is archived in `jet.products` (it sells nothing and is not pushed); one
  restored on Jet is restored. SKUs on Jet that the catalog lacks are named in the
  receipt and in `analytics.catalog_sync`. A list that suddenly lacks most SKUs is
  refused (nothing archived) unless the run says **accept_mass_delisting**.
- **push_stock**: the sellable quantity per SKU and node (the decider's available stock:
  on hand - promised - shipped since the count - safety stock, never below 0; 0 when
  archived), through `PUT /merchant-skus/{sku}/inventory`;
- **push_prices**: the catalog file's prices, through `PUT /merchant-skus/{sku}/price`.

Only values that differ from the last one Jet accepted are sent: a sync with nothing
changed sends no write. Every push is an action of the outbox (`jet.actions`, shown as
the push log `jet.catalog_pushes`), queued before it is sent and recorded as it returns;
a 429 waits for Retry-After (not an attempt), a timeout or 5xx is settled from Jet's
read-back, so a retried or killed run continues where it stopped and never pushes a
value twice.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from jet.assets import CATALOG_LOADED
from jet.dag_defaults import START_DATE, default_args, tags


@dag(
    dag_id="jet_catalog_sync",
    # A catalog load triggers a run at once; the hour keeps Jet current as orders take stock.
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("15 * * * *", timezone="UTC"), assets=CATALOG_LOADED),
    start_date=START_DATE,
    catchup=False,  # a sync pushes the stock of now; there is no past hour to fill
    max_active_runs=1,  # two syncs would push the same values
    dagrun_timeout=timedelta(minutes=55),
    default_args=default_args(execution_timeout=timedelta(minutes=50)),
    description="Hourly, after a catalog load, by hand: push stock and prices Jet lacks, follow SKUs archived on Jet",
    tags=tags("catalog", "stock", "prices"),
    doc_md=__doc__,
    params={
        "accept_mass_delisting": Param(
            False,
            type="boolean",
            title="Accept a mass delisting",
            description="Archive here every SKU Jet stopped listing, even when most of them disappeared at once.",
        ),
    },
)
def jet_catalog_sync() -> None:
    @task(multiple_outputs=False)  # one receipt dict in XCom
    def follow_jet(**context) -> dict:
        from jet.catalog.tasks import follow_jet as follow
        from jet.dag_params import checked_params
        from jet.runs import run_identity

        accept = bool(checked_params(context)["accept_mass_delisting"])
        return follow(run_identity(context), accept_mass_delisting=accept)

    @task(multiple_outputs=False)
    def push_to_jet(**context) -> dict:
        from jet.catalog.tasks import push_to_jet as push
        from jet.runs import run_identity

        return push(run_identity(context))

    follow_jet() >> push_to_jet()  # archive first: a SKU archived on Jet is then not pushed


jet_catalog_sync()
