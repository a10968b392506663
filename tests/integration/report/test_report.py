"""The P&L report over a month of sandbox business: its figures are the warehouse's, and it opens offline.

The month is settled as in test_month, then every order Jet served that month is
imported (the rejected and cancelled ones never settle, but the report counts them).
The headline is checked against SQL straight on the tables (not the views the report
reads); the file is opened in a headless Chromium with every request refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jet.report import ReportPeriod, headline, write_report
from jet.report.browser import BrowserMissing, chromium, chromium_path, open_offline
from jet.report.tasks import last_settled_day, period_for_run
from jet.runs import RunIdentity
from jet.settlement.tasks import pnl_refreshed_extra, run_settlement
from jet.settlement.window import settlement_window
from tests.integration.settlement.conftest import SANDBOX_NOW, reset_warehouse

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN = RunIdentity(dag_id="jet_settlement", dag_run_id="backfill__month", observed_at=datetime(2026, 3, 2, tzinfo=UTC))
MONTH = settlement_window(RUN.observed_at - timedelta(days=1), RUN.observed_at, lookback_days=31)
PERIOD = ReportPeriod(date(2026, 2, 1), date(2026, 3, 1))
REPORT_RUN = RunIdentity("jet_report", "manual__month", datetime(2026, 3, 2, 1, tzinfo=UTC))
CHARTS = ["daily", "fees", "skus", "drift", "latency", "cancellations", "reconciliation"]


@pytest.fixture(scope="module")
def business(settlement_env: Any, sdb: psycopg.Connection) -> dict[str, Any]:
    from jet.orders.tasks import import_orders

    reset_warehouse(sdb, settlement_env)
    settled = run_settlement(RUN, MONTH, now=SANDBOX_NOW)
    served = [
        o["order"]["merchant_order_id"] for o in settlement_env.truth_orders() if o["order"]["status"] != "created"
    ]
    imported = import_orders(RUN, merchant_order_ids=served)
    return {"settled": settled, "imported": imported}


@pytest.fixture(scope="module")
def report(business: dict[str, Any], sdb: psycopg.Connection, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return write_report(sdb, PERIOD, REPORT_RUN, out_dir=tmp_path_factory.mktemp("reports"))


def external_references(html: str) -> list[str]:
    """src/href/srcset/data attributes of the page's elements that point anywhere but into the page."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if (
                    name in {"src", "href", "srcset", "data", "poster", "action"}
                    and value
                    and not value.startswith("#")
                ):
                    found.append(f"<{tag} {name}={value}>")

    Links().feed(html)
    return found


def test_every_headline_figure_is_the_warehouse_s(report: Any, sdb: psycopg.Connection) -> None:
    h = headline(sdb, PERIOD)
    assert h == report.headline
    # The same figures straight from the tables, not through the analytics views.
    truth = sdb.execute(
        """
        SELECT sum(CASE WHEN l.transaction_type = 'order' THEN l.merchant_price ELSE 0 END)
                 + sum(CASE WHEN l.transaction_type <> 'unallocated' THEN l.shipping_revenue ELSE 0 END),
               sum(CASE WHEN l.transaction_type IN ('order', 'return')
                        THEN l.jet_variable_commission + l.fixed_commission + l.shipping_charge + l.fulfillment_fee
                             + l.product_cost + l.merchant_return_charge + l.return_processing_fee ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'return' THEN l.merchant_price ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'order' THEN l.quantity * coalesce(p.unit_cost, 0) ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'adjustment' THEN l.jet_adjustment ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'unallocated' THEN l.line_total ELSE 0 END),
               sum(CASE WHEN l.transaction_type IN ('order', 'return') THEN l.tax + l.shipping_tax ELSE 0 END),
               count(DISTINCT l.merchant_order_id),
               sum(l.quantity) FILTER (WHERE l.transaction_type = 'order'),
               sum(l.quantity) FILTER (WHERE l.transaction_type = 'return')
        FROM jet.settlement_lines l
        JOIN jet.settlement_reports r USING (settlement_report_id)
        LEFT JOIN jet.products p ON p.sku = l.merchant_sku
        WHERE r.settlement_date BETWEEN %(first)s AND %(last)s
        """,
        PERIOD.params(),
    ).fetchone()
    revenue, fees, refunds, cogs, adjustments, unallocated, tax, orders, shipped, refunded = truth
    deposited, settlements = sdb.execute(
        "SELECT sum(settlement_value), count(*) FROM jet.settlement_reports"
        " WHERE settlement_date BETWEEN %(first)s AND %(last)s",
        PERIOD.params(),
    ).fetchone()
    assert (h.revenue, h.fees, h.refunds, h.cogs) == (revenue, fees, refunds, cogs)
    assert (h.adjustments, h.unallocated, h.tax_net) == (adjustments, unallocated, tax)
    assert (h.orders_settled, h.units_shipped, h.units_refunded) == (orders, shipped, refunded)
    assert (
        h.units_without_cost
        == sdb.execute(
            "SELECT coalesce(sum(l.quantity), 0) FROM jet.settlement_lines l"
            " JOIN jet.settlement_reports r USING (settlement_report_id)"
            " WHERE l.transaction_type = 'order' AND r.settlement_date BETWEEN %(first)s AND %(last)s"
            " AND l.merchant_sku NOT IN (SELECT sku FROM jet.products)",
            PERIOD.params(),
        ).fetchone()[0]
    )
    assert (h.net_proceeds, h.settlements, h.settlements_reconciled) == (deposited, settlements, settlements)
    # The margin is what Jet paid, less the tax it passed through and the cost of the goods.
    assert h.contribution_margin == deposited - tax - cogs
    assert h.contribution_margin == h.revenue + h.fees + h.refunds + h.adjustments + h.unallocated - h.cogs
    assert revenue > 1000
    assert fees < 0
    assert refunds < 0
    assert cogs > 0
    assert settlements == 29
    # And it is what the month's per-order P&L says for the orders settled in it.
    by_orders = sdb.execute(
        "SELECT sum(act_revenue + act_shipping_revenue), sum(act_refunds) FROM jet.order_pnl WHERE actual_as_of"
        " BETWEEN %(first)s AND %(last)s AND first_settled_on >= %(first)s",
        PERIOD.params(),
    ).fetchone()
    assert by_orders == (h.revenue, h.refunds)


def test_the_report_shows_the_headline_and_every_chart_with_a_table(report: Any) -> None:
    html = report.path.read_text(encoding="utf-8")
    assert report.path.name == "pnl_report_2026-02-01_2026-03-01.html"
    assert report.charts == CHARTS
    figures = re.findall(r'data-figure="(\w+)">\s*<div class="label">([^<]+)</div>\s*<div class="value">([^<]+)<', html)
    assert "have no unit cost" not in html, "every SKU shipped has a unit cost in the test catalog"
    assert [(k, label) for k, label, _ in figures] == [
        ("revenue", "Revenue"), ("fees", "Jet fees"), ("refunds", "Refunds"), ("cogs", "Cost of goods"),
        ("margin", "Contribution margin"),
    ]  # fmt: skip
    h = report.headline
    shown = {k: Decimal(v.replace("$", "").replace(",", "").replace("−", "-")) for k, _, v in figures}
    assert shown == {
        "revenue": h.revenue, "fees": h.fees, "refunds": h.refunds, "cogs": h.cogs, "margin": h.contribution_margin,
    }  # fmt: skip
    for key in CHARTS:
        section = html.split(f'data-chart="{key}"', 1)[1].split("</section>", 1)[0]
        assert f'id="chart-{key}"' in section
        assert "<table>" in section
        assert "<caption>" in section
    # Self-contained: no element of the page loads anything (script text, such as the
    # attributions inside plotly.js, is not markup and loads nothing).
    assert external_references(html) == []
    assert "Plotly.newPlot" in html
    assert len(html) > 3_000_000


def test_writing_the_same_period_again_gives_the_same_bytes(
    report: Any, sdb: psycopg.Connection, tmp_path: Path
) -> None:
    # Fixed chart ids and the run's own time, never the wall clock: a re-run changes nothing.
    again = write_report(sdb, PERIOD, REPORT_RUN, out_dir=tmp_path)
    assert again.path.read_bytes() == report.path.read_bytes()


def test_the_report_opens_with_the_network_off_and_every_chart_draws_data(report: Any) -> None:
    try:
        chromium_path()
    except BrowserMissing as exc:
        import os

        if os.environ.get("CI") == "true":
            raise
        pytest.skip(str(exc))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        opened = open_offline(page, report.path)
        svg_charts = page.locator("section[data-chart] .js-plotly-plot .main-svg").count()
    assert opened.requests_blocked == [], "the report asked the network for something"
    assert opened.console_errors == []
    assert opened.charts == len(CHARTS)
    assert svg_charts >= len(CHARTS)
    assert set(opened.charts_drawn) == set(CHARTS)
    assert all(marks > 0 for marks in opened.charts_drawn.values()), opened.charts_drawn


def test_the_figures_behind_the_charts_describe_the_month(report: Any, sdb: psycopg.Connection) -> None:
    from jet.report import collect

    data = collect(sdb, PERIOD)
    assert [r["day"] for r in data.daily] == [PERIOD.first + timedelta(days=i) for i in range(PERIOD.days)]
    assert sum(r["revenue"] for r in data.daily) == report.headline.revenue
    assert sum(r["contribution_margin"] for r in data.daily) == report.headline.contribution_margin
    assert sum(1 for r in data.skus if r["is_top"]) == 10
    assert sum(1 for r in data.skus if r["is_bottom"]) == 10
    assert all(r["contribution_margin"] >= s["contribution_margin"] for r in data.skus if r["is_top"]
               for s in data.skus if s["is_bottom"] and not s["is_top"])  # fmt: skip
    # Estimates: orders shipped as ordered drift by exactly 0; every other cause explains the rest.
    totals = {r["cause"]: r for r in data.drift if r["ordinal"] is None}
    exact = {r["cause"]: r["orders"] for r in data.drift if r["ordinal"] == 7}
    assert totals["as ordered"]["orders"] == exact["as ordered"] > 300
    assert totals["as ordered"]["drift"] == 0
    assert totals["refunded"]["drift"] < 0
    assert sum(r["orders"] for r in data.drift if r["ordinal"] is not None) == sum(r["orders"] for r in totals.values())
    # Latency: the scripted merchant answers within 10 minutes; the last day's ready orders are unanswered.
    s = data.ack_summary
    assert s["orders"] == sum(b["orders"] for b in data.ack_buckets)
    assert s["within_window"] == s["acknowledged"] > 500
    assert 0 < s["max_seconds"] <= 900
    assert next(b["orders"] for b in data.ack_buckets if b["label"] == "over 15 min (missed)") == 0
    # Cancellations: rejections with their reasons, and units cancelled at shipment.
    reasons = {(r["cancellation"], r["reason"]) for r in data.cancellations if r["cancellation"]}
    assert ("rejected", "no inventory") in reasons or ("rejected", "unknown sku") in reasons
    assert any(c == "partly cancelled" or c == "cancelled" for c, _ in reasons)
    per_day = {r["day"]: r["orders"] for r in data.cancellations}
    assert (
        sum(per_day.values())
        == sdb.execute(
            "SELECT count(*) FROM jet.orders WHERE order_placed_at >= %s AND order_placed_at < %s",
            (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)),
        ).fetchone()[0]
    )
    assert {r["status"] for r in data.reconciliation} == {"reconciled"}
    assert len(data.reconciliation) == 29


def test_a_run_covers_its_params_or_the_days_its_settlement_run_settled() -> None:
    class Event:  # the shape Airflow hands out: an asset event with its extra
        def __init__(self, extra: dict[str, Any]) -> None:
            self.extra = extra

    fetched = {"window": [MONTH.start.isoformat(), MONTH.end.isoformat()]}
    extra = pnl_refreshed_extra(fetched)
    assert extra["settled_through"] == "2026-03-01"
    events = [Event({"settled_through": "2026-02-27"}), Event(extra), Event({})]
    assert last_settled_day(events) == date(2026, 3, 1)
    run_at = datetime(2026, 3, 5, 6, tzinfo=UTC)
    params = {"date_from": None, "date_to": None, "days": 30}
    # 30 days up to the last day settled; February 2026 has 28.
    assert period_for_run(params, run_at=run_at, settled_through=date(2026, 3, 1)) == ReportPeriod(
        date(2026, 1, 31), date(2026, 3, 1)
    )
    assert period_for_run(params, run_at=run_at, settled_through=None) == ReportPeriod(
        date(2026, 2, 3), date(2026, 3, 4)
    )
    chosen = {"date_from": "2026-01-01", "date_to": "2026-01-31", "days": 30}
    assert period_for_run(chosen, run_at=run_at, settled_through=date(2026, 3, 1)) == ReportPeriod(
        date(2026, 1, 1), date(2026, 1, 31)
    )
    with pytest.raises(ValueError, match="starts 2026-02-01 after it ends 2026-01-31"):
        period_for_run({**chosen, "date_from": "2026-02-01"}, run_at=run_at, settled_through=None)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        period_for_run({**chosen, "date_to": "31/01/2026"}, run_at=run_at, settled_through=None)


@pytest.mark.dags
def test_the_dag_writes_the_report_and_puts_its_path_in_the_receipt(
    business: dict[str, Any], settlement_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dag_bag: Any
) -> None:
    monkeypatch.setenv("JET_REPORT_DIR", str(tmp_path))  # read when the task runs, not when the DAG is parsed
    run = dag_bag.dags["jet_report"].test(
        logical_date=datetime(2026, 3, 2, tzinfo=UTC), run_conf={"date_from": "2026-02-15", "date_to": "2026-02-28"}
    )
    (ti,) = run.get_task_instances()
    assert ti.state == "success"
    written = tmp_path / "pnl_report_2026-02-15_2026-02-28.html"
    receipt = ti.xcom_pull(task_ids="write_report")
    assert receipt["path"] == str(written)
    assert receipt["headline"]["first"] == "2026-02-15"
    assert receipt["headline"]["settlements"] == 14
    assert set(receipt) == {"path", "bytes", "charts", "headline"}
    assert written.is_file()
    assert written.stat().st_size > 3_000_000
    assert oct(written.stat().st_mode & 0o777) == "0o644"
    assert list(tmp_path.iterdir()) == [written], "no temporary file is left behind"
