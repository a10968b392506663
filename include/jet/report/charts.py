"""The report's charts (plotly) and the tables of their numbers.

Figures arrive as ``Decimal``; this module is the plotting boundary where they become
floats for plotly, while every table prints the exact ``Decimal`` as the warehouse
holds it. Each chart has a title, axis titles with units, hover text, and a table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from jet.report.figures import ReportData

#: One palette for the whole report: the same meaning keeps the same colour.
COLORS = {
    "revenue": "#2b6cb0",
    "fees": "#dd6b20",
    "refunds": "#c53030",
    "cogs": "#718096",
    "margin": "#2f855a",
    "other": "#805ad5",
    "ok": "#38a169",
    "bad": "#e53e3e",
}
SERIES = ("#2b6cb0", "#dd6b20", "#805ad5", "#d69e2e", "#319795", "#c53030", "#718096", "#b83280", "#2f855a")
CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> str:
    """``$1,234.56`` / ``−$1,234.56`` (exact to the cent); empty for None."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT)
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def share(value: Decimal | None) -> str:
    """A ratio as a percentage with two decimals; an em dash when undefined."""
    return "—" if value is None else f"{Decimal(value) * 100:.2f} %"


def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _f(value: Decimal | int | None) -> float | None:
    # The plotting boundary: plotly draws floats. Tables keep the Decimal.
    return None if value is None else float(value)


def _pct(value: Decimal | int | None) -> float | None:
    """A share as a percentage to plot; None (no data that day) stays a gap."""
    return None if value is None else 100 * float(value)


@dataclass(frozen=True)
class Table:
    """A table of a chart's numbers: headers and rows of text; ``numeric`` columns align right."""

    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()


@dataclass
class Chart:
    """One section of the report: a figure and the table(s) of its numbers."""

    key: str
    title: str
    what: str
    figure: go.Figure
    tables: list[Table] = field(default_factory=list)


def _layout(fig: go.Figure, title: str, x: str, y: str, **extra: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top"},
        template="plotly_white",
        height=extra.pop("height", 420),
        margin={"l": 80, "r": 30, "t": 90, "b": 60},
        # Above the plot, under the title: never on the axis title, however long.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hovermode=extra.pop("hovermode", "x unified"),
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        **extra,
    )
    fig.update_xaxes(title_text=x)
    fig.update_yaxes(title_text=y, zeroline=True, zerolinecolor="#a0aec0")
    if y == "USD":
        fig.update_yaxes(tickprefix="$", tickformat=",.0f")
    return fig


def _empty(fig: go.Figure, message: str) -> None:
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 16})


def daily_pnl(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    days = [r["day"] for r in data.daily]
    fig = go.Figure()
    for key, name, color in (
        ("revenue", "Revenue", COLORS["revenue"]),
        ("fees", "Jet fees", COLORS["fees"]),
        ("refunds", "Refunds", COLORS["refunds"]),
        ("cogs", "Cost of goods", COLORS["cogs"]),
    ):
        sign = -1 if key == "cogs" else 1  # cost of goods is a positive cost: drawn below zero like fees
        fig.add_bar(
            x=days, y=[sign * float(r[key]) for r in data.daily], name=name, marker_color=color,
            hovertemplate="%{y:$,.2f}",
        )  # fmt: skip
    fig.add_scatter(
        x=days, y=[_f(r["contribution_margin"]) for r in data.daily], name="Contribution margin",
        mode="lines+markers", line={"color": COLORS["margin"], "width": 3}, hovertemplate="%{y:$,.2f}",
    )  # fmt: skip
    _layout(fig, "Daily revenue, fees, refunds and margin", "Settlement day (UTC)", "USD", barmode="relative")
    table = Table(
        "Per settlement day, USD (fees, refunds negative; cost of goods positive)",
        ["Day", "Revenue", "Jet fees", "Refunds", "Cost of goods", "Adjustments + unallocated", "Margin"],
        [
            [
                r["day"].isoformat(), money(r["revenue"]), money(r["fees"]), money(r["refunds"]), money(r["cogs"]),
                money(r["adjustments"]), money(r["contribution_margin"]),
            ]
            for r in data.daily
        ],
        frozenset(range(1, 7)),
    )  # fmt: skip
    return Chart(
        "daily",
        "Daily P&L",
        "What Jet settled each day: revenue (products and shipping) above zero; Jet's fees, refunds and the "
        "cost of the goods shipped below; the line is the contribution margin (tax excluded, Jet adjustments "
        "and unallocated amounts included).",
        fig,
        [table],
    )


def fee_share(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    days = [r["day"] for r in data.daily]
    fig = go.Figure()
    for key, name, color, dash in (
        ("fee_share", "All Jet fees", COLORS["fees"], "solid"),
        ("commission_share", "Commissions", COLORS["revenue"], "dot"),
        ("other_fee_share", "Fulfilment and return fees", COLORS["other"], "dash"),
    ):
        fig.add_scatter(
            x=days, y=[_pct(r[key]) for r in data.daily], name=name,
            mode="lines+markers", line={"color": color, "dash": dash}, hovertemplate="%{y:.2f} %",
            connectgaps=False,
        )  # fmt: skip
    _layout(fig, "Jet fees as a share of revenue", "Settlement day (UTC)", "% of the day's revenue")
    fig.update_yaxes(rangemode="tozero", ticksuffix=" %")
    table = Table(
        "Per settlement day: fees in USD (negative) and as a share of the day's revenue",
        ["Day", "Revenue", "Commissions", "Fulfilment + return fees", "Commission share", "Other share", "Fee share"],
        [
            [
                r["day"].isoformat(), money(r["revenue"]), money(r["commissions"]), money(r["other_fees"]),
                share(r["commission_share"]), share(r["other_fee_share"]), share(r["fee_share"]),
            ]
            for r in data.daily
        ],
        frozenset(range(1, 7)),
    )  # fmt: skip
    return Chart(
        "fees",
        "Fees over time",
        "Commissions (variable and fixed, net of those Jet gave back on refunds) and fulfilment and return "
        "fees, as a percentage of the day's revenue. A rise means each dollar sold kept less.",
        fig,
        [table],
    )


def sku_margin(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    top = [r for r in data.skus if r["is_top"]]
    bottom = [r for r in data.skus if r["is_bottom"] and not r["is_top"]]
    fig = go.Figure()
    for rows, name, color in ((top, "Best", COLORS["ok"]), (bottom, "Worst", COLORS["bad"])):
        rows = sorted(rows, key=lambda r: r["contribution_margin"])
        fig.add_bar(
            y=[r["merchant_sku"] for r in rows], x=[_f(r["contribution_margin"]) for r in rows], orientation="h",
            name=name, marker_color=color,
            customdata=[[money(r["revenue"]), r["units_shipped"], share(r["margin_share"])] for r in rows],
            hovertemplate="%{y}: %{x:$,.2f} margin<br>revenue %{customdata[0]}, %{customdata[1]} units,"
            " %{customdata[2]} of revenue<extra></extra>",
        )  # fmt: skip
    _layout(
        fig, "Contribution margin by SKU: best and worst", "Contribution margin (USD)", "SKU",
        height=max(420, 26 * len(data.skus) + 140), hovermode="closest",
    )  # fmt: skip
    fig.update_yaxes(type="category", automargin=True, categoryorder="total ascending")  # best on top
    fig.update_xaxes(tickprefix="$", tickformat=",.0f")
    if not data.skus:
        _empty(fig, "No SKU settled in this period")
    table = Table(
        "Best and worst SKUs, USD, over the period's settlement lines",
        ["SKU", "Orders", "Units shipped", "Units refunded", "Revenue", "Jet fees", "Refunds", "Cost of goods",
         "Margin", "Margin / revenue"],
        [
            [
                r["merchant_sku"], count(r["orders"]), count(r["units_shipped"]), count(r["units_refunded"]),
                money(r["revenue"]), money(r["fees"]), money(r["refunds"]), money(r["cogs"]),
                money(r["contribution_margin"]), share(r["margin_share"]),
            ]
            for r in data.skus
        ],
        frozenset(range(1, 10)),
    )  # fmt: skip
    return Chart(
        "skus",
        "Margin by SKU",
        "The SKUs that earned the most and the least contribution margin (revenue − fees − refunds − cost of "
        "goods) in the period.",
        fig,
        [table],
    )


def estimate_drift(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    buckets = [r for r in data.drift if r["ordinal"] is not None]
    totals = [r for r in data.drift if r["ordinal"] is None]
    labels = list(dict.fromkeys(r["label"] for r in sorted(buckets, key=lambda r: r["ordinal"])))
    fig = go.Figure()
    for i, cause in enumerate(dict.fromkeys(r["cause"] for r in buckets)):
        rows = {r["label"]: r for r in buckets if r["cause"] == cause}
        fig.add_bar(
            x=labels, y=[rows[label]["orders"] for label in labels], name=cause,
            marker_color=SERIES[i % len(SERIES)], hovertemplate="%{y:,} orders",
        )  # fmt: skip
    _layout(
        fig, "Estimated vs actual margin per order: how far estimates were off",
        "Actual − estimated contribution margin per order (USD)", "Orders (log scale)", barmode="group",
    )  # fmt: skip
    # Most orders sit at exactly 0; a log scale keeps the few misses visible beside them
    # (bars side by side: stacked bars do not add up on a log scale).
    fig.update_yaxes(type="log", dtick=1)  # a tick per power of ten
    if not buckets:
        _empty(fig, "No order was first settled in this period")
    by_cause = Table(
        "Orders first settled in the period, by why actual and estimate may differ (USD)",
        ["Cause", "Orders", "Estimated margin", "Actual margin", "Actual − estimate", "Exactly as estimated"],
        [
            [
                r["cause"], count(r["orders"]), money(r["estimated"]), money(r["actual"]), money(r["drift"]),
                count(next((b["orders"] for b in buckets if b["cause"] == r["cause"] and b["ordinal"] == 7), 0)),
            ]
            for r in totals
        ],
        frozenset(range(1, 6)),
    )  # fmt: skip
    worst = Table(
        f"The {len(data.drift_worst)} orders furthest from their estimate (USD)",
        ["Order", "Reference", "First settled", "Ordered", "Shipped", "Refunded", "Estimated", "Actual", "Drift"],
        [
            [
                r["merchant_order_id"], r["reference_order_id"] or "", r["first_settled_on"].isoformat(),
                count(r["units_ordered"]), count(r["units_shipped"]), count(r["units_refunded"]),
                money(r["est_contribution_margin"]), money(r["act_contribution_margin"]), money(r["drift"]),
            ]
            for r in data.drift_worst
        ],
        frozenset(range(3, 9)),
    )  # fmt: skip
    return Chart(
        "drift",
        "Estimate vs actual",
        "For each order first settled in the period: its contribution margin as estimated when it was "
        "placed (from the order's own prices and fees) against what Jet actually settled. Orders shipped as "
        "ordered should sit at 0; cancelled units and refunds explain the rest.",
        fig,
        [by_cause, worst],
    )


def ack_latency(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    rows = data.ack_buckets
    s = data.ack_summary
    fig = go.Figure()
    fig.add_bar(
        x=[r["label"] for r in rows], y=[r["orders"] for r in rows],
        marker_color=[COLORS["bad"] if r["missed"] else COLORS["revenue"] for r in rows],
        hovertemplate="%{x}: %{y:,} orders<extra></extra>", name="Orders",
    )  # fmt: skip
    _layout(
        fig, "Acknowledgement latency: ready → acknowledged",
        "Time from Jet releasing the order (ready) to its acknowledgement (minutes)", "Orders",
        hovermode="closest", showlegend=False,
    )  # fmt: skip
    if s["orders"]:
        fig.add_annotation(
            text=f"p50 {s['p50_seconds']} s · p95 {s['p95_seconds']} s · p99 {s['p99_seconds']} s · "
            f"max {s['max_seconds']} s · {s['within_window']:,} of {s['orders']:,} within 15 min",
            showarrow=False, x=1, y=1.08, xref="paper", yref="paper", xanchor="right",
        )  # fmt: skip
    else:
        _empty(fig, "No order became ready in this period")
    summary = Table(
        "Orders placed in the period that became ready: latency in seconds",
        ["Orders", "Acknowledged", "Within 15 min", "p50", "p95", "p99", "Max"],
        [
            [
                count(s["orders"]), count(s["acknowledged"]), count(s["within_window"]),
                *(str(s[k]) if s[k] is not None else "—" for k in ("p50_seconds", "p95_seconds", "p99_seconds",
                                                                    "max_seconds")),
            ]
        ],
        frozenset(range(7)),
    )  # fmt: skip
    buckets = Table(
        "Orders per minute after ready",
        ["Minutes after ready", "Orders"],
        [[r["label"], count(r["orders"])] for r in rows],
        frozenset({1}),
    )
    return Chart(
        "latency",
        "Acknowledgement latency",
        "Jet gives an order to another seller when it is not acknowledged within 15 minutes of becoming ready. "
        "Times are Jet's own (order_ready_date → order_acknowledge_date), answers accepted or rejected.",
        fig,
        [summary, buckets],
    )


def cancellations(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    days = list(dict.fromkeys(r["day"] for r in data.cancellations))
    orders = {r["day"]: r["orders"] for r in data.cancellations}
    kinds = sorted({(r["cancellation"], r["reason"]) for r in data.cancellations if r["cancellation"]})
    counts: dict[tuple[str, str], dict[Any, int]] = defaultdict(dict)
    rates: dict[tuple[str, str], dict[Any, Decimal]] = defaultdict(dict)
    for r in data.cancellations:
        if r["cancellation"]:
            counts[(r["cancellation"], r["reason"])][r["day"]] = r["cancelled"]
            rates[(r["cancellation"], r["reason"])][r["day"]] = r["rate"]
    fig = go.Figure()
    for i, kind in enumerate(kinds):
        fig.add_bar(
            x=days, y=[_pct(rates[kind].get(d, Decimal(0))) for d in days], name=f"{kind[0]} · {kind[1]}",
            marker_color=SERIES[i % len(SERIES)], customdata=[counts[kind].get(d, 0) for d in days],
            hovertemplate="%{y:.2f} % (%{customdata} orders)",
        )  # fmt: skip
    _layout(
        fig, "Cancellation and rejection rate by day and reason", "Day the order was placed (UTC)",
        "% of the day's orders", barmode="stack",
    )  # fmt: skip
    fig.update_yaxes(ticksuffix=" %", rangemode="tozero")
    if not kinds:
        _empty(fig, "No order was cancelled or rejected in this period")
    table = Table(
        "Orders placed per day and how many were cancelled or rejected, by reason",
        ["Day", "Orders", *(f"{k[0]} · {k[1]}" for k in kinds), "Rate"],
        [
            [
                d.isoformat(), count(orders[d]), *(count(counts[k].get(d, 0)) for k in kinds),
                share(Decimal(sum(counts[k].get(d, 0) for k in kinds)) / orders[d] if orders[d] else None),
            ]
            for d in days
        ],
        frozenset(range(1, len(kinds) + 3)),
    )  # fmt: skip
    return Chart(
        "cancellations",
        "Cancellations and rejections",
        "Orders answered rejected (no stock, unknown SKU, ...), withdrawn by Jet (not acknowledged in time), "
        "or whose units were cancelled at shipment (wholly or partly), as a share of the orders placed that day.",
        fig,
        [table],
    )


def reconciliation(data: ReportData) -> Chart:
    import plotly.graph_objects as go

    rows = data.reconciliation
    x = [r["settlement_date"] for r in rows]
    fig = go.Figure()
    fig.add_bar(
        x=x, y=[_f(r["csv_total"]) for r in rows], name="Detail lines (CSV)", marker_color=COLORS["revenue"],
        hovertemplate="%{y:$,.2f}",
    )  # fmt: skip
    fig.add_bar(
        x=x, y=[_f(r["unallocated_total"]) for r in rows], name="Unallocated", marker_color=COLORS["bad"],
        hovertemplate="%{y:$,.2f}",
    )  # fmt: skip
    fig.add_scatter(
        x=x, y=[_f(r["settlement_value"]) for r in rows], name="Settlement value (report)", mode="markers",
        marker={"symbol": "diamond", "size": 10, "color": "#1a202c"},
        customdata=[r["status"] for r in rows], hovertemplate="%{y:$,.2f} (%{customdata})",
    )  # fmt: skip
    _layout(
        fig, "Reconciliation per settlement: tie-out and unallocated", "Settlement day (UTC)", "USD",
        barmode="relative",
    )  # fmt: skip
    if not rows:
        _empty(fig, "No settlement in this period")
    table = Table(
        "Each settlement: detail lines + unallocated = settlement value, to the cent",
        ["Day", "Settlement", "State", "Status", "Settlement value", "Detail lines", "Unallocated", "Lines",
         "Quarantined", "Orders missing"],
        [
            [
                r["settlement_date"].isoformat(), r["settlement_report_id"], r["settlement_state"] or "",
                r["status"], money(r["settlement_value"]), money(r["csv_total"]), money(r["unallocated_total"]),
                count(r["csv_lines"]), count(r["quarantined_lines"]), count(r["orders_missing"]),
            ]
            for r in rows
        ],
        frozenset(range(4, 10)),
    )  # fmt: skip
    return Chart(
        "reconciliation",
        "Reconciliation",
        "Each settlement's per-order detail lines against the report Jet paid: whatever the lines do not "
        "explain is booked as unallocated (red), never dropped. Reconciled means every category ties out.",
        fig,
        [table],
    )


def build_charts(data: ReportData) -> list[Chart]:
    """Every chart of the report, in reading order."""
    builders: Iterable[Any] = (
        daily_pnl, fee_share, sku_margin, estimate_drift, ack_latency, cancellations, reconciliation,
    )  # fmt: skip
    return [build(data) for build in builders]
