"""Airflow's components as separate processes, the way a deployment runs them: scheduler,
DAG processor, triggerer and API server (and Celery workers with CeleryExecutor), on a
scratch metadata database, a DAG folder holding only the DAGs asked for, and an
environment of their own. Used by ``bench/ack_latency.py`` and the Celery integration test.

Every component runs in its own process group (``stop()`` ends exactly those), logging to
``<workdir>/logs/<component>.log``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "include"))

from jet.celery_config import celery_environment, worker_argv  # noqa: E402

AIRFLOW = str(ROOT / ".venv" / "bin" / "airflow")
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


class StackError(RuntimeError):
    """A component did not start or died (the message ends with the tail of its log)."""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def _alembic_head(conn: Any) -> str | None:
    import psycopg

    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return str(row[0]) if row else None


def scratch_database(base_url: str, name: str, *, airflow_metadata: bool) -> str:
    """A fresh, empty database ``name`` on ``base_url``'s server; its libpq URL.

    ``airflow_metadata``: copied from a migrated template (``<name>_template``, rebuilt
    when it is not at the alembic head of ``base_url``'s database, the metadata database
    ``make setup`` migrates), because ``airflow db migrate`` takes half a minute on a
    busy machine.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(base_url.replace("+psycopg", ""))

    def url(db: str) -> str:
        return urlunsplit(("postgresql", parts.netloc, "/" + db, "", ""))

    template = f"{name}_template"
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not airflow_metadata:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return url(name)
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone()
        current = None
        if exists:
            with psycopg.connect(url(template), autocommit=True) as conn:
                current = _alembic_head(conn)
        with psycopg.connect(url(parts.path.lstrip("/")), autocommit=True) as conn:
            head = _alembic_head(conn)
        if current is None or current != head:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
            env = _clean_env()
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = url(template).replace("postgresql://", "postgresql+psycopg://")
            env["AIRFLOW_HOME"] = str(ROOT / ".local" / "stack-template-home")
            subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=900)
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return url(name)


def _clean_env() -> dict[str, str]:
    """This process's environment without Airflow settings or connections (the caller's
    own Airflow must not leak into the stack)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_HOME"))}
    env["PYTHONPATH"] = f"{ROOT / 'include'}:{ROOT / 'plugins'}"
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env


def jet_api_connection(port: int, user: str, secret: str, **extra: Any) -> str:
    """``AIRFLOW_CONN_JET_API`` for a sandbox on 127.0.0.1 (JSON: the URI form mangles the schema)."""
    conn = {"conn_type": "http", "host": "127.0.0.1", "port": port, "schema": "http", "login": user, "password": secret}
    return json.dumps({**conn, **({"extra": extra} if extra else {})})


def warehouse_connection(url: str) -> str:
    """``AIRFLOW_CONN_JET_WAREHOUSE`` for a libpq URL."""
    w = urlsplit(url)
    conn = {"conn_type": "postgres", "host": w.hostname, "port": w.port or 5432, "login": w.username}
    if w.password:
        conn["password"] = w.password
    return json.dumps({**conn, "schema": w.path.lstrip("/")})


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class AirflowStack:
    """The components, started in order, stopped together.

    :param workdir: AIRFLOW_HOME, DAG folder and logs live under it.
    :param metadata_url: libpq URL of a migrated metadata database of its own.
    :param dag_ids: DAG files (``dags/<dag_id>.py``) linked into its DAG folder.
    :param env: more environment (connections, settings).
    :param executor: ``local`` or ``celery``.
    :param celery_workers: workers to start with ``celery``.
    :param queue: Celery queue of this stack (a unique name on a shared Redis).
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
        worker_concurrency: int = 2,
        queue: str | None = None,
        parallelism: int = 4,
        components: Sequence[str] = COMPONENTS,
    ) -> None:
        if executor not in ("local", "celery"):
            raise ValueError(f"executor must be local or celery, not {executor!r}")
        self.workdir = workdir
        self.metadata_url = metadata_url
        self.dag_ids = list(dag_ids)
        self.extra_env = dict(env)
        self.executor = executor
        self.celery_workers = celery_workers if executor == "celery" else 0
        self.worker_concurrency = worker_concurrency
        self.queue = queue or f"jetflow-{secrets.token_hex(4)}"
        self.parallelism = parallelism
        unknown = set(components) - set(COMPONENTS)
        if unknown or "api-server" not in components:
            raise ValueError(f"components must include api-server and come from {COMPONENTS}, not {sorted(unknown)}")
        self.components = [c for c in COMPONENTS if c in components]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self._token: str | None = None

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
        sqlalchemy_url = self.metadata_url.replace("postgresql://", "postgresql+psycopg://", 1)
        env = _clean_env()
        env.update(
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__PLUGINS_FOLDER=str(self.workdir / "plugins"),  # none: the console is not measured
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",  # the caller unpauses what it measures
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM=str(self.parallelism),
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlalchemy_url,
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API__BASE_URL=self.url,
            AIRFLOW__API__WORKERS="1",
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.url}/execution/",
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
            # One key for all: components started together would otherwise each write an
            # airflow.cfg with a key of its own, and the triggerer could not read the
            # trigger arguments the DAG processor stored.
            AIRFLOW__CORE__FERNET_KEY=_fernet_key(),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="30",
        )
        if self.executor == "celery":
            env.update(celery_environment(self.metadata_url, queue=self.queue))
        env.update(self.extra_env)
        return env

    # ------------------------------------------------------------------ lifecycle
    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "logs" / f"{name}.log").open("wb")
        self._logs.append(log)
        self._procs[name] = subprocess.Popen(
            argv, env=env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, timeout: float = 600.0) -> None:
        """Start every component and wait (bounded) until the API answers and the DAGs are parsed."""
        env = self.environment()
        self._spawn("api-server", [AIRFLOW, "api-server", "--port", str(self.port)], env)
        for name in self.components[1:]:
            self._spawn(name, [AIRFLOW, name], env)
        for n in range(1, self.celery_workers + 1):
            name = f"worker-{n}"
            worker_env = dict(env, AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()))
            argv = worker_argv(AIRFLOW, f"{self.queue}-{n}", queue=self.queue, concurrency=self.worker_concurrency)
            self._spawn(name, argv, worker_env)

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
        except StackError:
            self.stop()
            raise
        if self.celery_workers:
            wait_for(self._workers_ready, timeout=timeout, what="Celery workers ready", every=2.0)

    def _workers_ready(self) -> bool:
        self.check_alive()
        logs = [(self.workdir / "logs" / f"worker-{n}.log") for n in range(1, self.celery_workers + 1)]
        return all(" ready." in p.read_text(errors="replace") for p in logs)

    def check_alive(self) -> None:
        """Raise :class:`StackError` if a component exited."""
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise StackError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")

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
        path = self.workdir / "logs" / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM each component's process group; SIGKILL what is left after 30 s."""
        for proc in self._procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self._procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self._procs.values():
            with contextlib.suppress(ProcessLookupError):  # the group is gone: nothing left to stop
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        self._procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> AirflowStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
