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
        self._running: dict[str, _Run] = {}
        self._finished: list[tuple[str, datetime]] = []

    def _spawn(self, dag_id: str, logical_date: datetime, conf: dict[str, Any] | None = None) -> _Run:
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
        return self.finish(self._spawn(dag_id, logical_date, conf))

    def has(self, dag_id: str) -> bool:
        return dag_exists(self.dags_folder, dag_id)

    def start(self, dag_id: str, at: datetime) -> None:
        """Start the DAG's run for ``at`` in the background, after its previous run ended
        (the DAGs are ``max_active_runs=1``). Logical date = ``at``: a daily run at
        midnight covers the day before, plus its lookback."""
        previous = self._running.pop(dag_id, None)
        if previous is not None:
            self.finish(previous)
            self._finished.append((dag_id, previous.logical_date))
        self._running[dag_id] = self._spawn(dag_id, at)

    def finished(self) -> list[tuple[str, datetime]]:
        for dag_id, run in list(self._running.items()):
            if run.process.poll() is not None:
                del self._running[dag_id]
                self.finish(run)
                self._finished.append((dag_id, run.logical_date))
        done, self._finished = self._finished, []
        return done

    def wait(self) -> list[tuple[str, datetime]]:
        for dag_id, run in list(self._running.items()):
            del self._running[dag_id]
            self.finish(run)
            self._finished.append((dag_id, run.logical_date))
        return self.finished()

    def report(self, period: ReportPeriod, at: datetime) -> Path:
        conf = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
        # A second after the last settlement run, as the Asset-triggered run would be.
        self.run("jet_report", at + timedelta(seconds=1), conf)
        path = report_dir() / report_name(period)
        if not path.is_file():
            raise DagRunFailed(f"jet_report succeeded but {path} is missing")
        return path
