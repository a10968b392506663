"""Which report files the console links and serves: only the folder's own reports, newest first."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from jet.console.reports import ReportMissing, find_report, latest_report, list_reports, reports_folder


def _write(folder: Path, name: str, mtime: float) -> Path:
    path = folder / name
    path.write_text(f"<title>{name}</title>")
    os.utime(path, (mtime, mtime))
    return path


def test_the_newest_written_report_is_the_latest_and_strays_are_ignored(tmp_path: Path) -> None:
    _write(tmp_path, "pnl_report_2026-10-01_2026-10-31.html", 1_000_000)
    _write(tmp_path, "pnl_report_2026-09-01_2026-09-30.html", 2_000_000)  # an older period written again later
    _write(tmp_path, ".pnl_report_x.tmp", 3_000_000)  # a report being written
    _write(tmp_path, "notes.html", 3_000_000)
    latest = latest_report(tmp_path)
    assert latest.name == "pnl_report_2026-09-01_2026-09-30.html"
    assert (latest.first, latest.last) == (date(2026, 9, 1), date(2026, 9, 30))
    assert latest.written_at.timestamp() == 2_000_000
    assert [r.name for r in list_reports(tmp_path)] == [
        "pnl_report_2026-09-01_2026-09-30.html",
        "pnl_report_2026-10-01_2026-10-31.html",
    ]
    assert len(list_reports(tmp_path, limit=1)) == 1


@pytest.mark.parametrize(
    "name",
    ["../pnl_report_2026-08-01_2026-08-31.html", "notes.html", "/etc/passwd", "pnl_report_2026-11-01_2026-11-30.html"],
)
def test_only_a_name_in_the_folders_listing_is_found(tmp_path: Path, name: str) -> None:
    _write(tmp_path, "pnl_report_2026-08-01_2026-08-31.html", 1_000_000)  # a real file, outside the folder
    (tmp_path / "inner").mkdir()
    _write(tmp_path / "inner", "pnl_report_2026-10-01_2026-10-31.html", 1_000_000)
    _write(tmp_path / "inner", "notes.html", 1_000_000)
    with pytest.raises(ReportMissing):
        find_report(name, tmp_path / "inner")
    assert find_report("pnl_report_2026-10-01_2026-10-31.html", tmp_path / "inner").path.parent == tmp_path / "inner"


def test_no_report_yet_says_how_to_make_one(tmp_path: Path) -> None:
    for folder in (tmp_path, tmp_path / "never-created"):
        assert list_reports(folder) == []
        with pytest.raises(ReportMissing, match="trigger the jet_report DAG"):
            latest_report(folder)


def test_the_console_looks_where_jet_report_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jet.report.render import report_dir

    monkeypatch.delenv("JET_REPORT_DIR", raising=False)
    assert reports_folder() == report_dir()
    monkeypatch.setenv("JET_REPORT_DIR", str(tmp_path))
    assert reports_folder() == report_dir() == tmp_path
