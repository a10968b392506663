"""The daily DAGs of the demo's period as real Airflow runs (``airflow dags test``).

Each run is a subprocess with the demo's connections in its environment; its whole log
goes to ``<logs>/<dag>_<date>.log`` and a failed run stops the demo with the log's tail.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from jet.report.figures import ReportPeriod
from jet.report.render import report_dir, report_name


class DagRunFailed(RuntimeError):
    """An ``airflow dags test`` run failed; the message names its log."""


def dag_exists(dags_folder: Path, dag_id: str) -> bool:
    """True when the project ships ``dags/<dag_id>.py`` (one DAG per file, named after it)."""
    return (dags_folder / f"{dag_id}.py").is_file()


@dataclass
class _Run:
    dag_id: str
    logical_date: datetime
    process: subprocess.Popen[bytes]
    log: IO[str]
    log_path: Path
    started: float


class AirflowDaily:
    """:class:`jet.demo.period.DailyRuns` through ``airflow dags test``."""

    def __init__(self, env: Mapping[str, str], logs: Path, dags_folder: Path) -> None:
        self.env = dict(env)
        self.logs = logs
        self.dags_folder = dags_folder
        self.seconds: dict[str, float] = {}
        self._settling: _Run | None = None
        self._finished: list[datetime] = []

    def start(self, dag_id: str, logical_date: datetime, conf: dict[str, Any] | None = None) -> _Run:
        """Start one ``airflow dags test`` in the background; its output goes to its own log."""
        self.logs.mkdir(parents=True, exist_ok=True)
        log_path = self.logs / f"{dag_id}_{logical_date:%Y%m%dT%H%M}.log"
        cmd = ["airflow", "dags", "test", dag_id, logical_date.isoformat()]
        if conf:
            cmd += ["--conf", json.dumps(conf)]
        log = log_path.open("w")
        process = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return _Run(dag_id, logical_date, process, log, log_path, time.monotonic())

    def finish(self, run: _Run) -> Path:
        """Wait for ``run``; returns its log. Raises :class:`DagRunFailed` when it failed."""
        code = run.process.wait()
        run.log.close()
        self.seconds[run.dag_id] = self.seconds.get(run.dag_id, 0.0) + time.monotonic() - run.started
        text = run.log_path.read_text(errors="replace")
        # `airflow dags test` can exit 0 with a failed run: its log says so.
        if code != 0 or "state=failed" in text:
            tail = "\n".join(text.splitlines()[-30:])
            raise DagRunFailed(
                f"{run.dag_id} run for {run.logical_date:%Y-%m-%d %H:%M}Z failed; log {run.log_path}:\n{tail}"
            )
        return run.log_path

    def run(self, dag_id: str, logical_date: datetime, conf: dict[str, Any] | None = None) -> Path:
        """One ``airflow dags test``, waited for."""
        return self.finish(self.start(dag_id, logical_date, conf))

    def catalog_sync(self, at: datetime) -> str:
        if not dag_exists(self.dags_folder, "jet_catalog_sync"):
            return "jet_catalog_sync is not in this checkout: the catalog is loaded, nothing pushed"
        self.run("jet_catalog_sync", at)
        return "jet_catalog_sync ran (airflow dags test)"

    def start_settlement(self, day_end: datetime) -> None:
        # max_active_runs=1, as the DAG: the previous day's run finishes first.
        if self._settling is not None:
            self._finished.append(self._wait_settlement())
        # The daily run at midnight covers the day before (plus its default lookback).
        self._settling = self.start("jet_settlement", day_end)

    def _wait_settlement(self) -> datetime:
        assert self._settling is not None
        run, self._settling = self._settling, None
        self.finish(run)
        return run.logical_date

    def settled(self) -> list[datetime]:
        if self._settling is not None and self._settling.process.poll() is not None:
            self._finished.append(self._wait_settlement())
        done, self._finished = self._finished, []
        return done

    def wait_settled(self) -> list[datetime]:
        if self._settling is not None:
            self._finished.append(self._wait_settlement())
        return self.settled()

    def report(self, period: ReportPeriod, at: datetime) -> Path:
        conf = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
        # A second after the last settlement run, as the Asset-triggered run would be.
        self.run("jet_report", at + timedelta(seconds=1), conf)
        path = report_dir() / report_name(period)
        if not path.is_file():
            raise DagRunFailed(f"jet_report succeeded but {path} is missing")
        return path
