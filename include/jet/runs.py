"""What a task needs to know about its DAG run to stay idempotent.

Every row a run writes is stamped with the run's own time, never now(): a retry or
a cleared and re-run task writes exactly what the first attempt wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class RunIdentity:
    dag_id: str
    dag_run_id: str | None
    observed_at: datetime
    #: The Airflow user who triggered the run (``dag_run.triggering_user_name``), or who
    #: answered for it in Airflow's inbox; None for scheduled runs. Recorded on every row
    #: the run writes on that person's behalf (see :func:`jet.warehouse.db.connect`).
    actor: str | None = None

    @property
    def run_key(self) -> str:
        """The run's key: ``<dag_id>/<logical time, to the microsecond>/<dag_run_id>``.

        The DAG run's id makes it unique (two runs in the same second are two runs: their
        notes, parcels and refunds are not taken for retries of each other); a retried or
        cleared task of the same run gets the same key, so what it writes is deduplicated.
        """
        when = f"{self.observed_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}"
        return f"{self.dag_id}/{when}" if self.dag_run_id is None else f"{self.dag_id}/{when}/{self.dag_run_id}"


def run_identity(context: Any) -> RunIdentity:
    """From an Airflow task context: the logical date, else the run's run_after
    (manual runs in Airflow 3 may have no logical date), and the user who triggered it."""
    dag_run = context["dag_run"]
    when = context.get("logical_date") or dag_run.run_after
    return RunIdentity(
        dag_id=dag_run.dag_id,
        dag_run_id=dag_run.run_id,
        observed_at=when.astimezone(UTC),
        actor=getattr(dag_run, "triggering_user_name", None) or None,
    )
