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
    #: False for a run without a logical date (Airflow 3's manual runs): ``observed_at`` is
    #: then its ``run_after``, and only the run's id tells two such runs apart.
    has_logical_date: bool = True

    @property
    def run_key(self) -> str:
        """The run's key, stable across retries and clears of the run, unique per run.

        A run with a logical date: ``<dag_id>/<logical time>`` (Airflow allows one run per
        DAG and logical date; sub-second times keep their microseconds, so two runs in the
        same second never share a key). A run without one: ``<dag_id>/<dag_run_id>``, the
        run's own unique id, never a timestamp. Dedupe keys derive from it (a person's
        note, a parcel, a refund id): two runs are two notes, two parcels, two refunds.
        """
        if not self.has_logical_date and self.dag_run_id:
            return f"{self.dag_id}/{self.dag_run_id}"
        when = self.observed_at.astimezone(UTC)
        fraction = f".{when.microsecond:06d}" if when.microsecond else ""
        return f"{self.dag_id}/{when:%Y%m%dT%H%M%S}{fraction}Z"


def run_identity(context: Any) -> RunIdentity:
    """From an Airflow task context: the logical date, else the run's run_after
    (manual runs in Airflow 3 may have no logical date), and the user who triggered it."""
    dag_run = context["dag_run"]
    logical = context.get("logical_date")
    when = logical or dag_run.run_after
    return RunIdentity(
        dag_id=dag_run.dag_id,
        dag_run_id=dag_run.run_id,
        observed_at=when.astimezone(UTC),
        actor=getattr(dag_run, "triggering_user_name", None) or None,
        has_logical_date=logical is not None,
    )
