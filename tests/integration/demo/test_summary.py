"""The demo's summary is the warehouse: a short trading period, every figure checked twice.

The period is the demo's own (:func:`jet.demo.run_period`, the daily DAGs' task functions
in-process instead of ``airflow dags test``), six sandbox hours across a midnight so
one settlement closes in it. Each figure of :func:`jet.demo.summarize` and of the P&L
report's headline is then held against SQL written here, straight on the tables, and
against what the sandbox says happened (its ground truth and its ledger of applied
writes), which the pipeline never reads.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from jet.demo import WHY_KINDS, DemoSummary, InProcessDaily, PeriodPlan, run_period, summarize
from jet.report.charts import money

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = datetime(2026, 3, 2, 19, tzinfo=UTC)
# Six hours over midnight, quick handling and returns: every stage has work in it.
PLAN = PeriodPlan(
    start=START,
    hours=6,
    orders_per_hour=24,
    handling=timedelta(hours=1),
    operator_delay=timedelta(hours=1),
    refund_share=0.08,
    # Enough orders cancelled after acceptance, by Jet and by the operator, to show each.
    directed_cancel_share=0.1,
    operator_cancel_share=0.1,
    return_rate=0.3,
    return_delay_days=(0.04, 0.12),
)


def jet_time(text: str | None) -> datetime | None:
    from jet.api.models import parse_jet_datetime

    return None if text is None else parse_jet_datetime(text).astimezone(UTC)


def dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


@pytest.fixture(scope="module")
def demo_db(warehouse_url: str) -> str:
    """A fresh, migrated scratch warehouse for the period (other suites empty the shared one)."""
    from jet.warehouse.scratch import scratch_database

    return scratch_database(warehouse_url, "demo_period", fresh=True)


@pytest.fixture(scope="module")
def period(demo_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run the period once; yield the summary, the sandbox's truth and a warehouse connection."""
    from jet.warehouse.db import airflow_connection
    from jet_sandbox.testing import SandboxProcess

    with (
        # A busy machine (the suite beside other work) can take more than the default 20 s to start it.
        SandboxProcess(
            seed=7, scenario="empty", clock="manual", start=START.isoformat(), startup_timeout=90
        ) as sandbox,
        pytest.MonkeyPatch.context() as mp,
    ):
        extra = {"rate_limit_per_second": 500, "rate_limit_burst": 100, "max_concurrency": 8}
        mp.setenv("AIRFLOW_CONN_JET_API", sandbox.airflow_connection(extra=extra))
        mp.setenv("AIRFLOW_CONN_JET_WAREHOUSE", airflow_connection(demo_db))
        mp.setenv("JET_WAREHOUSE_URL", demo_db)
        lines: list[str] = []
        result = run_period(sandbox, PLAN, InProcessDaily(tmp_path_factory.mktemp("reports")), progress=lines.append)
        with psycopg.connect(demo_db, autocommit=True) as conn:
            summary = summarize(conn, sandbox.ledger(), PLAN.start, PLAN.end, result.report)
            yield {
                "summary": summary,
                "tally": result.tally,
                "progress": lines,
                "conn": conn,
                "orders": sandbox.truth_orders(),
                "ledger": sandbox.ledger(),
                "returns": sandbox.truth("returns")["returns"],
                "refunds": sandbox.truth("refunds")["refunds"],
                "settlements": sandbox.truth("settlements")["settlements"],
                "catalog": sandbox.truth("catalog"),
            }


def in_period(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The truth orders placed in the period that Jet made ready (the ones the warehouse can know)."""
    return [
        e
        for e in entries
        if e["order"].get("order_ready_date") and PLAN.start <= jet_time(e["order"]["order_placed_date"]) < PLAN.end
    ]


def truth_outcome(entry: dict[str, Any]) -> str:
    """What became of an order, from the sandbox's own state (the summary's categories)."""
    state = entry["state"]
    ordered = sum(ln["quantity"] for ln in state["lines"])
    shipped = sum(ln["shipped"] for ln in state["lines"])
    cancelled = sum(ln["cancelled"] for ln in state["lines"])
    if state["withdrawn"]:
        return "withdrawn by Jet"
    if (state["ack_status"] or "").startswith("rejected"):
        return "rejected"
    if state["ack_status"] != "accepted":
        return "not answered"
    if shipped >= ordered:
        return "shipped in full"
    if shipped and shipped + cancelled >= ordered:
        return "shipped in part, rest cancelled"
    if shipped:
        return "shipped in part, rest to ship"
    if cancelled >= ordered:
        return "cancelled after acceptance"
    return "accepted, to ship"


def percentile_cont(values: list[float], q: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def test_the_period_did_every_kind_of_business(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    assert s.orders > 100
    for outcome in ("shipped in full", "rejected", "cancelled after acceptance", "accepted, to ship"):
        assert s.outcomes.get(outcome, 0) > 0, outcome
    assert s.outcomes.get("shipped in part, rest to ship", 0) + s.outcomes.get("shipped in part, rest cancelled", 0)
    assert {"acknowledge", "shipped", "refund", "return_complete"} <= set(s.writes)
    assert s.money.settlements == 1
    assert s.money.revenue > 0
    assert s.money.cogs > 0
    assert any("jet_settlement for 2026-03-02" in line for line in period["progress"])


def test_orders_by_outcome_are_what_jet_shows(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    orders = in_period(period["orders"])
    assert s.outcomes == dict(Counter(truth_outcome(e) for e in orders))
    states = [e["state"] for e in orders]
    assert s.units_ordered == sum(ln["quantity"] for st in states for ln in st["lines"])
    assert s.units_shipped == sum(ln["shipped"] for st in states for ln in st["lines"])
    # Cancelled units of accepted orders (a rejected or withdrawn order ships nothing to cancel).
    assert s.units_cancelled == sum(
        ln["cancelled"] for st in states if st["ack_status"] == "accepted" and not st["withdrawn"] for ln in st["lines"]
    )
    # The warehouse holds exactly these orders, by its own count.
    conn = period["conn"]
    (landed,) = conn.execute(
        "SELECT count(*) FROM jet.orders WHERE order_placed_at >= %s AND order_placed_at < %s AND ready_at IS NOT NULL",
        (PLAN.start, PLAN.end),
    ).fetchone()
    assert landed == s.orders == len(orders)


def test_cancellation_rate(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    orders = in_period(period["orders"])
    # Jet's side: the buyer got nothing of these (rejected, withdrawn, every unit cancelled).
    wholly = [e for e in orders if truth_outcome(e) in ("rejected", "withdrawn by Jet", "cancelled after acceptance")]
    assert s.orders_cancelled + s.orders_rejected == len(wholly) > 0
    assert s.orders_cancelled > 0
    assert s.orders_rejected > 0
    # Rejected = the rules declined the order for short stock (a reject decision, sent).
    (rejects,) = (
        period["conn"]
        .execute(
            "SELECT count(DISTINCT a.merchant_order_id) FROM jet.actions a JOIN jet.decisions d USING (decision_id)"
            " WHERE a.call = 'reject' AND a.state = 'applied' AND NOT d.dry_run"
        )
        .fetchone()
    )
    assert s.orders_rejected == rejects
    assert s.cancellation_rate == (Decimal(s.orders_cancelled) / len(orders)).quantize(Decimal("0.0001"))
    assert s.rejection_rate == (Decimal(s.orders_rejected) / len(orders)).quantize(Decimal("0.0001"))
    # The analysts' view counts the same orders (the warehouse holds only this period's).
    cancelled, rejected, total = (
        period["conn"]
        .execute("SELECT sum(orders_cancelled), sum(orders_rejected), sum(orders) FROM analytics.cancellation_rate")
        .fetchone()
    )
    assert (cancelled, rejected, total) == (s.orders_cancelled, s.orders_rejected, s.orders)
    assert s.unit_cancellation_rate == (Decimal(s.units_cancelled) / s.units_ordered).quantize(Decimal("0.0001"))


def test_ready_to_acknowledged_latency(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    seconds = []
    ready = 0
    for e in period["orders"]:
        o = e["order"]
        at = jet_time(o.get("order_ready_date"))
        if at is None or not PLAN.start <= at < PLAN.end:
            continue
        ready += 1
        if o.get("order_acknowledge_date"):
            seconds.append((jet_time(o["order_acknowledge_date"]) - at).total_seconds())
    assert (s.ready, s.answered) == (ready, len(seconds))
    assert s.within_window == sum(1 for x in seconds if x <= 900)

    def tenth(x: float) -> Decimal:  # PostgreSQL's round(numeric, 1): halves away from zero
        return Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    # Each order's latency is kept to a tenth of a second (analytics.order_outcomes), then ranked.
    kept = [float(tenth(x)) for x in seconds]
    assert s.ack_p50_seconds == tenth(percentile_cont(kept, 0.5))
    assert s.ack_p99_seconds == tenth(percentile_cont(kept, 0.99))
    assert s.ack_max_seconds == tenth(max(seconds))
    # A 10-minute schedule answers every order within one interval of it becoming ready.
    assert s.ack_max_seconds <= 600


def test_writes_at_jet_are_the_outbox_applied_once_each(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    assert s.writes == dict(Counter(e["kind"] for e in period["ledger"]))
    families = dict(
        period["conn"]
        .execute(
            """
            SELECT CASE WHEN kind IN ('acknowledge', 'reject', 'cancel') THEN 'acknowledge'
                        WHEN kind LIKE 'ship:%%' OR kind IN ('directed_cancel', 'cancel_units') THEN 'shipped'
                        WHEN kind LIKE 'refund:%%' THEN 'refund'
                        WHEN kind LIKE 'complete_return:%%' THEN 'return_complete'
                        ELSE kind END,
                   count(*)
            FROM jet.actions WHERE state = 'applied' GROUP BY 1
            """
        )
        .fetchall()
    )
    assert families == s.writes
    # One acknowledgement per order Jet made ready, none twice.
    acknowledged = Counter(e["merchant_order_id"] for e in period["ledger"] if e["kind"] == "acknowledge")
    assert set(acknowledged.values()) == {1}


def test_returns_and_refunds_are_jets(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    ours = {e["order"]["merchant_order_id"] for e in in_period(period["orders"])}
    returns = Counter(r["return_status"] for r in period["returns"] if r["merchant_order_id"] in ours)
    refunds = Counter(r["refund_status"] for r in period["refunds"] if r["merchant_order_id"] in ours)
    assert s.returns == dict(returns)
    assert s.refunds == dict(refunds)
    assert sum(returns.values()) > 0
    assert sum(refunds.values()) > 0


def settled_rows(period: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for report in period["settlements"] for row in report["rows"]]


def test_money_is_what_jet_settled(period: dict[str, Any]) -> None:
    """Revenue, fees, refunds, adjustments from the sandbox's settlement rows; cost of goods
    from its catalog priced the way the demo's catalog is; margin from those."""
    from jet.catalog.demo import catalog_from_sandbox

    h = period["summary"].money
    rows = settled_rows(period)
    costs = {sku: p.unit_cost for sku, p in catalog_from_sandbox(period["catalog"]).products.items()}
    kind = [r["transaction_type"] for r in rows]
    revenue = sum(dec(r["merchant_price"]) for r, k in zip(rows, kind, strict=True) if k == "order") + sum(
        dec(r["shipping_revenue"]) for r in rows
    )
    fee_columns = ("jet_variable_commission", "fixed_commission", "shipping_charge", "fulfillment_fee",
                   "product_cost", "merchant_return_charge", "return_processing_fee")  # fmt: skip
    fees = sum(dec(r[c]) for r, k in zip(rows, kind, strict=True) if k in ("order", "return") for c in fee_columns)
    refunds = sum(dec(r["merchant_price"]) for r, k in zip(rows, kind, strict=True) if k == "return")
    adjustments = sum(dec(r["jet_adjustment"]) for r, k in zip(rows, kind, strict=True) if k == "adjustment")
    cogs = sum(r["quantity"] * costs.get(r["merchant_sku"], Decimal(0)) for r, k in zip(rows, kind, strict=True)
               if k == "order")  # fmt: skip
    assert (h.revenue, h.fees, h.refunds, h.adjustments, h.cogs) == (revenue, fees, refunds, adjustments, cogs)
    assert h.unallocated == 0
    assert h.contribution_margin == revenue + fees + refunds + adjustments - cogs
    assert refunds < 0
    assert fees < 0
    assert h.settlements == h.settlements_reconciled == len(period["settlements"]) == 1
    assert h.orders_settled == len({r["merchant_order_id"] for r in rows if r["merchant_order_id"]})


def test_money_is_the_warehouses_tables(period: dict[str, Any]) -> None:
    """The same figures by SQL straight on the settlement tables (not the analytics views)."""
    h = period["summary"].money
    conn = period["conn"]
    revenue, fees, refunds, cogs, adjustments = conn.execute(
        """
        SELECT sum(CASE WHEN l.transaction_type = 'order' THEN l.merchant_price ELSE 0 END)
                 + sum(CASE WHEN l.transaction_type <> 'unallocated' THEN l.shipping_revenue ELSE 0 END),
               sum(CASE WHEN l.transaction_type IN ('order', 'return')
                        THEN l.jet_variable_commission + l.fixed_commission + l.shipping_charge + l.fulfillment_fee
                             + l.product_cost + l.merchant_return_charge + l.return_processing_fee ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'return' THEN l.merchant_price ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'order' THEN l.quantity * coalesce(p.unit_cost, 0) ELSE 0 END),
               sum(CASE WHEN l.transaction_type = 'adjustment' THEN l.jet_adjustment ELSE 0 END)
        FROM jet.settlement_lines l LEFT JOIN jet.products p ON p.sku = l.merchant_sku
        """
    ).fetchone()
    assert (h.revenue, h.fees, h.refunds, h.cogs, h.adjustments) == (revenue, fees, refunds, cogs, adjustments)
    (deposited,) = conn.execute("SELECT sum(settlement_value) FROM jet.settlement_reports").fetchone()
    assert h.net_proceeds == deposited


def test_the_report_opens_with_the_same_headline(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    assert isinstance(s.report, Path)
    assert s.report.name == "pnl_report_2026-03-02_2026-03-03.html"
    html = s.report.read_text(encoding="utf-8")
    figure = r'data-figure="(\w+)">\s*<div class="label">[^<]+</div>\s*<div class="value">([^<]+)<'
    shown = dict(re.findall(figure, html))
    h = s.money
    assert shown == {
        "revenue": money(h.revenue),
        "fees": money(h.fees),
        "refunds": money(h.refunds),
        "cogs": money(h.cogs),
        "margin": money(h.contribution_margin),
    }


def test_the_printed_summary_says_every_figure(period: dict[str, Any]) -> None:
    s: DemoSummary = period["summary"]
    text = "\n".join(s.lines())
    for figure in (
        f"{s.orders:,}", *(f"{n:>7,}" for n in s.outcomes.values()), f"p50 {s.ack_p50_seconds / 60:.1f} min",
        f"p99 {s.ack_p99_seconds / 60:.1f} min", f"{s.cancellation_rate * 100:.1f} %",
        f"rejection rate {s.rejection_rate * 100:.1f} %",
        *(f"{k} {v:,}" for k, v in s.writes.items()), money(s.money.revenue), money(s.money.fees),
        money(s.money.refunds), money(s.money.cogs), money(s.money.contribution_margin),
        f"{s.money.settlements_reconciled} of {s.money.settlements}", str(s.report),
    ):  # fmt: skip
        assert figure in text, figure


#: The "why" query as docs/statuses.md prints it (not the demo's SQL file).
WHY = (
    "SELECT internal_status, act, started_by, who, units, reason, rule_in"
    " FROM jet.order_cancellations WHERE merchant_order_id = %s"
)


def test_the_period_cancels_every_way(period: dict[str, Any]) -> None:
    """Jet's directed cancels and the operator's cancels happened, each counted once, on
    orders Jet accepted and never shipped."""
    why = period["summary"].why
    tally = period["tally"]
    for _label, act, started_by in WHY_KINDS:
        assert why.kinds.get((act, started_by), 0) > 0, (act, started_by)
    states = {e["order"]["merchant_order_id"]: e["state"] for e in in_period(period["orders"])}
    asked = {oid for oid, st in states.items() if any(ln["cancel_request"] for ln in st["lines"])}
    assert asked == tally.directed_cancels
    assert why.kinds[("cancel units", "jet")] == len(asked)
    assert why.kinds[("cancel units", "operator")] == tally.cancelled_by_operator
    for oid in asked:
        assert PLAN.cancelled_after_ack(oid) == "jet"
    applied = "SELECT array_agg(merchant_order_id) FROM jet.actions WHERE kind = %s AND state = 'applied'"
    (by_operator,) = period["conn"].execute(applied, ("cancel_units",)).fetchone()
    assert len(by_operator) == tally.cancelled_by_operator
    for oid in [*asked, *by_operator]:
        lines = states[oid]["lines"]
        assert states[oid]["ack_status"] == "accepted"
        assert sum(ln["shipped"] for ln in lines) == 0
        assert sum(ln["cancelled"] for ln in lines) == sum(ln["quantity"] for ln in lines)
    assert not asked & set(by_operator)


def test_why_each_shown_order_was_cancelled(period: dict[str, Any]) -> None:
    why = period["summary"].why
    conn = period["conn"]
    states = {e["order"]["merchant_order_id"]: e["state"] for e in in_period(period["orders"])}
    assert [e.label for e in why.examples] == [label for label, _, _ in WHY_KINDS]
    rules, manual = "include/jet/decisions/rules.py", "include/jet/decisions/manual.py"
    expected = {  # label: (internal status, act, started_by, who, rule_in)
        "rules cancel": ("cancelled", "cancel", "rules", None, rules),
        "rules reject": ("rejected", "reject", "rules", None, rules),
        "Jet directed cancel": ("cancelled", "cancel units", "jet", "Jet", "include/jet/decisions/store.py"),
        "operator cancel": ("cancelled", "cancel units", "operator", PLAN.operator, manual),
    }
    for e in why.examples:
        assert e.order_id in states, e.label
        # The shown answer is the documented query's, and the order was cancelled by that kind alone.
        assert e.answer == tuple(conn.execute(WHY, (e.order_id,)).fetchall()), e.label
        ((status, act, started_by, who, units, _reason, rule_in),) = e.answer
        assert (act, started_by) == (e.act, e.started_by), e.label
        assert units == sum(ln["quantity"] for ln in states[e.order_id]["lines"]), e.label
        if e.label in expected:
            assert (status, act, started_by, who, rule_in) == expected[e.label], e.label
    by_label = {e.label: e for e in why.examples}
    # The rules cancel what cannot be sold at all (docs/statuses.md), and reject for short stock.
    assert set(by_label["rules cancel"].answer[0][5].split(", ")) <= {"UNKNOWN_SKU", "ARCHIVED_SKU", "NO_INVENTORY"}
    assert "NO_INVENTORY" in by_label["rules reject"].answer[0][5]
    assert by_label["Jet directed cancel"].answer[0][5].startswith("Jet requested the cancellation")
    operator = by_label["operator cancel"]
    assert operator.answer[0][5] == PLAN.operator_reason(operator.order_id)
    warehouse = by_label["warehouse cancel"].answer[0]
    assert warehouse[0] == "cancelled"
    assert warehouse[6] == "include/jet/fulfillment/shipments.py"
    assert warehouse[5].startswith("shipment ")
    # Jet's side agrees: only the directed cancel's order carries Jet's cancel request.
    for e in why.examples:
        requested = any(ln["cancel_request"] for ln in states[e.order_id]["lines"])
        assert requested == (e.started_by == "jet"), e.label


def test_the_printed_summary_says_why(period: dict[str, Any]) -> None:
    why = period["summary"].why
    text = "\n".join(period["summary"].lines())
    first = why.examples[0].order_id
    query = (
        "SELECT internal_status, act, started_by, who, units, reason, rule_in FROM jet.order_cancellations"
        f" WHERE merchant_order_id = '{first}' ORDER BY at, act;"
    )
    assert text.count(query) == 1
    # The printed query, run as printed, gives the answer printed under it.
    assert period["conn"].execute(query).fetchall() == list(why.examples[0].answer)
    for e in why.examples:
        assert f"{e.label} ({e.orders:,} orders), e.g. {e.order_id}:" in text
        for row in e.answer:
            assert "    " + " | ".join("" if v is None else str(v) for v in row) in text
