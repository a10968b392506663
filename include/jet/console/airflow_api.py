"""Airflow's REST API, called as the logged-in user (their own token).

Everything the order manager asks Airflow goes through here, with the user's JWT, so
Airflow's permissions, validation and audit log apply to the console exactly as to
Airflow's own UI: triggering a manual DAG, reading a DAG's Params, finding the runs
that name an order and why one failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["AirflowApi", "AirflowRefused", "DagRunRef", "airflow_base_url"]

TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class AirflowRefused(RuntimeError):
    """Airflow answered an error; ``detail`` is its own message, verbatim."""

    def __init__(self, status_code: int, detail: str, what: str) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(f"{what}: Airflow answered {status_code}: {detail}")


@dataclass(frozen=True)
class DagRunRef:
    dag_id: str
    dag_run_id: str
    state: str
    run_after: datetime | None
    start_date: datetime | None
    end_date: datetime | None
    triggering_user_name: str | None
    conf: dict[str, Any]
    note: str | None = None
    failure: str | None = None  # why its failed task failed, when it did

    @property
    def finished(self) -> bool:
        return self.state in ("success", "failed")

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> DagRunRef:
        def when(key: str) -> datetime | None:
            value = body.get(key)
            return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

        return cls(
            dag_id=body["dag_id"],
            dag_run_id=body["dag_run_id"],
            state=body["state"],
            run_after=when("run_after"),
            start_date=when("start_date"),
            end_date=when("end_date"),
            triggering_user_name=body.get("triggering_user_name"),
            conf=dict(body.get("conf") or {}),
            note=body.get("note"),
        )


def airflow_base_url() -> str:
    """Where this API server answers, from the server itself: ``JET_CONSOLE_AIRFLOW_URL``
    if set (behind a proxy, or TLS), else 127.0.0.1 on Airflow's ``[api] port`` under
    the path of ``[api] base_url``."""
    explicit = os.environ.get("JET_CONSOLE_AIRFLOW_URL")
    if explicit:
        return explicit.rstrip("/")
    from urllib.parse import urlsplit

    from airflow.configuration import conf

    port = conf.getint("api", "port", fallback=8080)
    path = urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")
    return f"http://127.0.0.1:{port}{path}"


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    return detail if isinstance(detail, str) else str(detail)


class AirflowApi:
    """One user's view of Airflow's REST API (``/api/v2``)."""

    def __init__(self, token: str, base_url: str | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(
            base_url=(base_url or airflow_base_url()) + "/api/v2",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
            transport=transport,
        )

    async def __aenter__(self) -> AirflowApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def _get(self, path: str, what: str, **params: Any) -> Any:
        response = await self._client.get(path, params=params or None)
        if response.status_code >= 400:
            raise AirflowRefused(response.status_code, _detail(response), what)
        return response.json()

    async def dag_params(self, dag_id: str) -> dict[str, Any]:
        """The DAG's Params as Airflow serialized them (name -> value, schema, description)."""
        body = await self._get(f"/dags/{quote(dag_id, safe='')}/details", f"reading the Params of {dag_id}")
        return dict(body.get("params") or {})

    async def dag_exists(self, dag_id: str) -> bool:
        """True when Airflow has the DAG (and the user may see it)."""
        response = await self._client.get(f"/dags/{quote(dag_id, safe='')}")
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise AirflowRefused(response.status_code, _detail(response), f"looking up {dag_id}")
        return True

    async def trigger(self, dag_id: str, conf: Mapping[str, Any], note: str | None = None) -> DagRunRef:
        """Trigger a run of ``dag_id`` with ``conf``; Airflow's refusal is raised verbatim."""
        body: dict[str, Any] = {"logical_date": None, "conf": dict(conf)}
        if note:
            body["note"] = note
        response = await self._client.post(f"/dags/{quote(dag_id, safe='')}/dagRuns", json=body)
        if response.status_code >= 400:
            raise AirflowRefused(response.status_code, _detail(response), f"triggering {dag_id}")
        return DagRunRef.from_api(response.json())

    async def dag_run(self, dag_id: str, dag_run_id: str) -> DagRunRef:
        body = await self._get(
            f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(dag_run_id, safe='')}", f"reading run {dag_run_id}"
        )
        return DagRunRef.from_api(body)

    async def runs_naming(
        self, texts: Iterable[str], dag_id_pattern: str = "jet_%", limit: int = 20
    ) -> list[DagRunRef]:
        """The latest runs whose conf mentions any of ``texts`` (an order id, its return
        ids), newest first: the runs acting on an order, whoever triggered them."""
        found: dict[tuple[str, str], DagRunRef] = {}
        for text in dict.fromkeys(t for t in texts if t):
            body = await self._get(
                "/dags/~/dagRuns",
                "listing the runs of the order",
                conf_contains=text,
                dag_id_pattern=dag_id_pattern,
                order_by="-run_after",
                limit=limit,
            )
            for run in body.get("dag_runs", []):
                ref = DagRunRef.from_api(run)
                found[(ref.dag_id, ref.dag_run_id)] = ref
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(found.values(), key=lambda r: r.run_after or epoch, reverse=True)[:limit]

    async def failure(self, dag_id: str, dag_run_id: str) -> str | None:
        """Why a failed run failed: the exception its failed task raised, from the task's
        log (the last error Airflow recorded), else the failed tasks' names."""
        base = f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(dag_run_id, safe='')}/taskInstances"
        tis = await self._get(base, f"reading the tasks of {dag_run_id}", state="failed")
        messages: list[str] = []
        for ti in tis.get("task_instances", []):
            log_path = f"{base}/{quote(ti['task_id'], safe='')}/logs/{ti['try_number']}"
            params = {"map_index": ti["map_index"]} if ti.get("map_index", -1) >= 0 else {}
            response = await self._client.get(log_path, params=params, headers={"Accept": "application/json"})
            error = _last_error(response.json().get("content", [])) if response.status_code == 200 else None
            messages.append(f"{ti['task_id']}: {error or 'failed (see its log in Airflow)'}")
        return "; ".join(messages) or None


def _last_error(events: list[Any]) -> str | None:
    """The last exception in a structured task log: ``Type: message``."""
    for event in reversed(events):
        if not isinstance(event, dict):
            continue
        for detail in reversed(event.get("error_detail") or []):
            if isinstance(detail, dict) and detail.get("exc_type"):
                return f"{detail['exc_type']}: {detail.get('exc_value', '')}".strip()
    return None
