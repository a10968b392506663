"""Airflow's components as separate processes, the way a deployment runs them: scheduler,
DAG processor, triggerer and API server (and Celery workers with CeleryExecutor), on a
scratch metadata database, a DAG folder holding only the DAGs asked for, and an
environment of their own. Used by ``bench/ack_latency.py`` and the Celery integration test.

The components, their commands and their executor settings are `make airflow`'s
(:class:`jet.runtime.Deployment`), started and stopped by :class:`jet.runtime.Stack`
(each in its own process group, logging to ``<workdir>/logs/<component>.log``); what is
added here is what a throwaway Airflow needs: its own home, DAG folder, login and keys.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "include"))

from jet.runtime import Deployment, Stack, redis_url  # noqa: E402
from jet.runtime.metadata import scratch_metadata_database  # noqa: E402
from jet.runtime.stack import tail  # noqa: E402
from jet_sandbox.testing import free_port  # noqa: E402

AIRFLOW = str(ROOT / ".venv" / "bin" / "airflow")
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


class StackError(RuntimeError):
    """Airflow did not come up in time (the message says what it waited for)."""


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 1.0) -> Any:
    """Call ``check`` until it returns a truthy value (bounded by ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise StackError(f"{what}: not within {timeout:.0f}s")
        pause.wait(every)


def metadata_database(base_url: str, name: str) -> str:
    """A fresh Airflow metadata database ``name`` on ``base_url``'s server, copied from a
    migrated template (:func:`jet.runtime.metadata.scratch_metadata_database`); its libpq URL."""
    env = dict(_clean_env(), AIRFLOW_HOME=str(ROOT / ".local" / "stack-template-home"))
    return scratch_metadata_database(base_url, name, env=env, airflow=AIRFLOW)


def _clean_env() -> dict[str, str]:
    """This process's environment without Airflow settings or connections (the caller's
    own Airflow must not leak into the stack)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_HOME"))}
    env["PYTHONPATH"] = f"{ROOT / 'include'}:{ROOT / 'plugins'}"
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class AirflowStack:
    """The components, started in order, stopped together.

    :param workdir: AIRFLOW_HOME, DAG folder and logs live under it.
    :param metadata_url: libpq URL of a migrated metadata database of its own (its name
        also names the stack's Redis keys with ``celery``: :func:`jet.runtime.key_prefix`).
    :param dag_ids: DAG files (``dags/<dag_id>.py``) linked into its DAG folder.
    :param env: more environment (connections, settings).
    :param executor: ``local`` or ``celery``.
    :param celery_workers: workers to start with ``celery``.
    :param cores: the machine the stack is sized for (two task slots per core, as
        `make airflow`), shared among the workers with ``celery``.
    """

    def __init__(
        self,
        workdir: Path,
        metadata_url: str,
        dag_ids: Sequence[str],
        env: Mapping[str, str],
        *,
        executor: str = "local",
        celery_workers: int = 2,
        cores: int = 2,
        components: Sequence[str] = COMPONENTS,
    ) -> None:
        if executor not in ("local", "celery"):
            raise ValueError(f"executor must be local or celery, not {executor!r}")
        unknown = set(components) - set(COMPONENTS)
        if unknown or "api-server" not in components:
            raise ValueError(f"components must include api-server and come from {COMPONENTS}, not {sorted(unknown)}")
        self.workdir = workdir
        self.dag_ids = list(dag_ids)
        self.extra_env = dict(env)
        self.components = [c for c in COMPONENTS if c in components]
        self.port = free_port()
        self.deployment = Deployment(
            "celery" if executor == "celery" else "local",
            api_port=self.port,
            metadata_url=metadata_url.replace("postgresql://", "postgresql+psycopg://", 1),
            broker_url=redis_url() if executor == "celery" else None,
            workers=celery_workers,
            cores=cores,
        )
        self.celery_workers = celery_workers if executor == "celery" else 0
        self.url = self.deployment.url
        self.password = secrets.token_urlsafe(12)
        self._stack: Stack | None = None
        self._token: str | None = None

    @property
    def key_prefix(self) -> str:
        """The prefix of this stack's keys in Redis (with ``celery``)."""
        return self.deployment.key_prefix

    # ------------------------------------------------------------------ environment
    def environment(self) -> dict[str, str]:
        home, dags = self.workdir / "home", self.workdir / "dags"
        home.mkdir(parents=True, exist_ok=True)
        dags.mkdir(exist_ok=True)
        for stale in dags.glob("*.py"):
            stale.unlink()
        for dag_id in self.dag_ids:
            (dags / f"{dag_id}.py").symlink_to(ROOT / "dags" / f"{dag_id}.py")
        passwords = self.workdir / "passwords.json"
        passwords.write_text(json.dumps({"admin": self.password}))
        passwords.chmod(0o600)
        env = _clean_env()
        env.update(self.deployment.environment())
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__PLUGINS_FOLDER=str(self.workdir / "plugins"),  # none: the console is not measured
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",  # the caller unpauses what it measures
            AIRFLOW__API__WORKERS="1",
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
            # One key for all: components started together would otherwise each write an
            # airflow.cfg with a key of its own, and the triggerer could not read the
            # trigger arguments the DAG processor stored.
            AIRFLOW__CORE__FERNET_KEY=_fernet_key(),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            # Parsed once after the start: the DAG files do not change during a run.
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="30",
        )
        env.update(self.extra_env)
        return env

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 600.0) -> None:
        """Start every component and wait (bounded) until the API answers and the DAGs are parsed."""
        logs = self.workdir / "logs"
        # Stack appends: a log left by an earlier run in the same workdir would say its
        # workers were ready before these are.
        for old in logs.glob("*.log"):
            old.unlink()
        self._stack = Stack(logs, self.environment())
        for component in self.deployment.components(free_port):
            if component.name in self.components or component.name.startswith("worker-"):
                self._stack.start(component, cwd=self.workdir)

        def ready() -> bool:
            self.check_alive()
            import httpx

            try:
                if self._token is None:
                    if httpx.get(f"{self.url}/api/v2/monitor/health", timeout=3).status_code != 200:
                        return False
                    self._token = self.token()
                with self.api() as api:
                    found = {d["dag_id"] for d in api.get("/dags", params={"limit": 100}).json().get("dags", [])}
                return found >= set(self.dag_ids)
            except httpx.HTTPError:
                return False

        try:
            wait_for(ready, timeout=timeout, what="Airflow API up and every DAG parsed", every=2.0)
            if self.celery_workers:
                wait_for(self._workers_ready, timeout=timeout, what="Celery workers ready", every=2.0)
        except BaseException:
            self.stop()
            raise

    def _workers_ready(self) -> bool:
        self.check_alive()
        logs = [(self.workdir / "logs" / f"worker-{n}.log") for n in range(1, self.celery_workers + 1)]
        return all(" ready." in p.read_text(errors="replace") for p in logs)

    def check_alive(self) -> None:
        """Raise :class:`jet.runtime.ComponentExited` (with its log's tail) if a component exited."""
        if self._stack is not None:
            self._stack.check()

    def token(self) -> str:
        import httpx

        response = httpx.post(
            f"{self.url}/auth/token", json={"username": "admin", "password": self.password}, timeout=60
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def api(self) -> Any:
        import httpx

        if self._token is None:
            self._token = self.token()
        return httpx.Client(
            base_url=f"{self.url}/api/v2", headers={"Authorization": f"Bearer {self._token}"}, timeout=60
        )

    def unpause(self, dag_ids: Sequence[str]) -> None:
        with self.api() as api:
            for dag_id in dag_ids:
                api.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        """A manual run now; its run id."""
        with self.api() as api:
            response = api.post(f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": dict(conf or {})})
            response.raise_for_status()
            return str(response.json()["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        with self.api() as api:
            response = api.get(f"/dags/{dag_id}/dagRuns", params={"limit": 100, "order_by": "run_after"})
            response.raise_for_status()
            return list(response.json()["dag_runs"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 300.0) -> dict[str, Any]:
        """Poll (bounded) until the run ends; its final JSON (state success or failed)."""

        def ended() -> dict[str, Any] | None:
            self.check_alive()
            with self.api() as api:
                run = api.get(f"/dags/{dag_id}/dagRuns/{run_id}").json()
            return dict(run) if run.get("state") in ("success", "failed") else None

        return wait_for(ended, timeout=timeout, what=f"run {dag_id}/{run_id} ended", every=1.0)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        with self.api() as api:
            response = api.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 100})
            response.raise_for_status()
            return list(response.json()["task_instances"])

    def log_tail(self, name: str, lines: int = 40) -> str:
        return tail(self.workdir / "logs" / f"{name}.log", lines)

    def stop(self) -> None:
        """Stop every component's process group (:meth:`jet.runtime.Stack.stop`)."""
        if self._stack is not None:
            self._stack.stop()
            self._stack = None

    def __enter__(self) -> AirflowStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
