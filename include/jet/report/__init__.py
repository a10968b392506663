"""The P&L report: one self-contained HTML file of charts and tables over a date range.

``figures`` reads every figure from the warehouse (SQL in ``jet/sql/report_*.sql``,
``Decimal`` throughout) and holds :func:`headline`, the opening figures others reuse
(the demo's summary); ``charts`` draws them with plotly, the only place numbers become
floats, each chart with a table of its numbers; ``render`` writes the HTML with
plotly.js inline, so it opens with no network; ``tasks`` is the ``jet_report`` task
body; ``browser`` drives a headless Chromium (screenshots, the offline check).
"""

from jet.report.figures import Headline, ReportData, ReportPeriod, collect, headline, report_period
from jet.report.render import WrittenReport, report_dir, write_report

__all__ = [
    "Headline",
    "ReportData",
    "ReportPeriod",
    "WrittenReport",
    "collect",
    "headline",
    "report_dir",
    "report_period",
    "write_report",
]
