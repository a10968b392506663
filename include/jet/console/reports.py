"""The P&L reports the console links: the files ``jet_report`` wrote, newest first.

The console only reads the report folder, and serves a file only by a name found in
that folder's listing (``pnl_report_<from>_<to>.html``), so a request cannot name any
other path. The folder is the one ``jet_report`` writes to: ``$JET_REPORT_DIR``, else
``<project>/.local/reports`` (console and report are both top-level faces and may not
import each other; ``tests/unit/console/test_reports.py`` holds the two in step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from jet.paths import local_dir

__all__ = [
    "REPORT_DAG",
    "ReportFile",
    "ReportMissing",
    "find_report",
    "latest_report",
    "list_reports",
    "reports_folder",
]

#: The DAG that writes the reports (dags/jet_report.py): how to make one.
REPORT_DAG = "jet_report"
NAME = re.compile(r"pnl_report_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.html")
HOW_TO_MAKE_ONE = f"trigger the {REPORT_DAG} DAG (it also runs after each jet_settlement)"


class ReportMissing(LookupError):
    """No report of that name (or none at all) in the report folder."""


@dataclass(frozen=True)
class ReportFile:
    name: str
    path: Path
    first: date
    last: date
    written_at: datetime  # the file's modification time, UTC

    @property
    def period(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def reports_folder() -> Path:
    """Where ``jet_report`` writes (the same rule as :func:`jet.report.render.report_dir`)."""
    return local_dir("JET_REPORT_DIR", "reports")


def list_reports(folder: Path | None = None, limit: int | None = None) -> list[ReportFile]:
    """The reports in ``folder``, most recently written first (a missing folder: none yet)."""
    folder = folder or reports_folder()
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            continue  # temporary files of a report being written, anything else put there
        written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        found.append(ReportFile(path.name, path, date.fromisoformat(match[1]), date.fromisoformat(match[2]), written))
    found.sort(key=lambda r: (r.written_at, r.name), reverse=True)
    return found[:limit] if limit is not None else found


def latest_report(folder: Path | None = None) -> ReportFile:
    """The most recently written report; :class:`ReportMissing` says how to make one."""
    reports = list_reports(folder, limit=1)
    if not reports:
        raise ReportMissing(f"no P&L report has been written yet: {HOW_TO_MAKE_ONE}")
    return reports[0]


def find_report(name: str, folder: Path | None = None) -> ReportFile:
    """The report called ``name``, only if the folder's listing has it."""
    for report in list_reports(folder):
        if report.name == name:
            return report
    raise ReportMissing(f"no P&L report {name!r}: the console serves only the reports jet_report wrote")
