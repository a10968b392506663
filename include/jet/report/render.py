"""Render the report to one self-contained HTML file and write it where the operator said.

plotly.js is embedded once, inline, and every chart is drawn by it from data embedded
in the page: the file opens offline and sends no request. Writing is atomic (a
temporary file renamed over the old one), so a reader never sees half a report, and
the same period written again replaces the same file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jet.paths import local_dir
from jet.report.charts import Chart, build_charts, money, share

if TYPE_CHECKING:
    import psycopg

    from jet.report.figures import Headline, ReportData, ReportPeriod
    from jet.runs import RunIdentity

TEMPLATES = Path(__file__).with_name("templates")


def report_dir() -> Path:
    """Where reports go: ``$JET_REPORT_DIR``, else ``<project>/.local/reports``."""
    return local_dir("JET_REPORT_DIR", "reports")


def report_name(period: ReportPeriod) -> str:
    return f"pnl_report_{period.first.isoformat()}_{period.last.isoformat()}.html"


@cache
def _plotly_js() -> tuple[str, str]:
    import plotly
    from plotly.offline import get_plotlyjs

    return get_plotlyjs(), plotly.__version__


def headline_figures(h: Headline) -> list[dict[str, str]]:
    """The five headline figures as the report shows them (label, value, note)."""
    understated = h.units_without_cost > 0
    figures = [
        ("revenue", "Revenue", money(h.revenue), "",
         f"{h.units_shipped:,} units shipped in {h.orders_settled:,} orders"),
        ("fees", "Jet fees", money(h.fees), "negative", f"{share(h.fee_share)} of revenue"),
        ("refunds", "Refunds", money(h.refunds), "negative", f"{h.units_refunded:,} units refunded"),
        ("cogs", "Cost of goods", money(h.cogs), "",
         f"understated: {h.units_without_cost:,} units shipped have no unit cost" if understated
         else "unit cost × units shipped"),
        ("margin", "Contribution margin", money(h.contribution_margin), "margin",
         f"{share(h.margin_share)} of revenue"),
    ]  # fmt: skip
    return [
        {"key": k, "label": label, "value": value, "css": css, "note": note,
         "note_css": "warn" if k == "cogs" and understated else ""}
        for k, label, value, css, note in figures
    ]  # fmt: skip


def _context(h: Headline) -> str:
    return (
        f"{h.settlements_reconciled} of {h.settlements} settlements reconciled to the cent; "
        f"{money(h.net_proceeds)} deposited (tax collected net {money(h.tax_net)} included). "
        f"The margin also holds Jet adjustments ({money(h.adjustments)}) and unallocated differences "
        f"({money(h.unallocated)}): margin = revenue + fees + refunds − cost of goods + both."
    )


def render(data: ReportData, charts: list[Chart], *, run_key: str) -> str:
    """The report as one HTML document (a string)."""
    import jinja2
    import plotly.io as pio

    js, version = _plotly_js()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    sections: list[dict[str, Any]] = [
        {
            "key": c.key,
            "title": c.title,
            "what": c.what,
            "tables": c.tables,
            # A fixed div id per chart: the same data renders the same bytes.
            "html": pio.to_html(
                c.figure,
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart-{c.key}",
                config={"displaylogo": False, "responsive": True},
            ),
        }
        for c in charts
    ]
    return env.get_template("report.html.j2").render(
        period=str(data.headline.period),
        h=data.headline,
        figures=headline_figures(data.headline),
        context=_context(data.headline),
        charts=sections,
        merchant="Jet marketplace P&L",
        run_key=run_key,
        plotly_js=js,
        plotly_version=version,
    )


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    bytes: int
    charts: list[str]
    headline: Headline

    def as_receipt(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "charts": self.charts,
            "headline": self.headline.as_receipt(),
        }


def write_report(
    conn: psycopg.Connection, period: ReportPeriod, run: RunIdentity, *, out_dir: Path | None = None
) -> WrittenReport:
    """Read the figures of ``period``, render them and write ``<out_dir>/pnl_report_<first>_<last>.html``."""
    from jet.report.figures import collect

    data = collect(conn, period)
    charts = build_charts(data)
    html = render(data, charts, run_key=run.run_key)
    folder = out_dir or report_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / report_name(period)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pnl_report_", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # no stray temp file; the error goes on up
        raise
    return WrittenReport(path, len(html.encode()), [c.key for c in charts], data.headline)
