"""A real ``airflow standalone`` for the console's browser tests: this project's DAGs and
plugins, LocalExecutor, parallelism sized for a small machine (``make airflow`` starts the
same components one by one, ``jet.runtime``), on free ports and a scratch metadata database of its own,
so it never meets another engineer's Airflow or the DAG tests' database.

Only the DAGs a test names are in its DAG folder (links to the real files), all
unpaused: nothing else is scheduled behind the test's back, and parsing is quick.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from jet_sandbox.testing import free_port
from tests.helpers import PollTimeout, poll

ROOT = Path(__file__).resolve().parents[2]


class StandaloneError(RuntimeError):
    """Airflow did not come up (the message ends with the tail of its log)."""


def _alembic_head(conn: psycopg.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except psycopg.errors.UndefinedTable:
        return None
    return str(row[0]) if row else None


def scratch_database(base_url: str, suffix: str) -> str:
    """A fresh, migrated Airflow metadata database ``<database of base_url>_<suffix>``;
    its SQLAlchemy URL.

    Migrating takes long on a busy machine, so a migrated, never-used template is kept
    (``..._template``, rebuilt whenever ``base_url``'s database, which ``make setup``
    migrates, is at another version) and each run starts from a copy of it.
    """
    parts = urlsplit(base_url.replace("+psycopg", ""))
    name = f"{parts.path.lstrip('/')}_{suffix}"
    template = f"{name}_template"

    def url(db: str, driver: str = "postgresql") -> str:
        return urlunsplit((driver, parts.netloc, "/" + db, "", ""))

    with psycopg.connect(url(parts.path.lstrip("/")), autocommit=True) as conn:
        head = _alembic_head(conn)
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone()
        current = None
        if exists:
            with psycopg.connect(url(template), autocommit=True) as conn:
                current = _alembic_head(conn)
        if head is None or current != head:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(template)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
            env = dict(os.environ, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=url(template, "postgresql+psycopg"))
            subprocess.run(
                [str(ROOT / ".venv" / "bin" / "airflow"), "db", "migrate"],
                env=env, check=True, capture_output=True, timeout=600,
            )  # fmt: skip
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return url(name, "postgresql+psycopg")


class Standalone:
    """``airflow standalone`` in its own process group; ``users`` maps name -> (role, password)."""

    def __init__(
        self,
        workdir: Path,
        metadata_url: str,
        dag_ids: list[str],
        users: dict[str, tuple[str, str]],
        env: dict[str, str],
    ) -> None:
        self.workdir = workdir
        self.metadata_url = metadata_url
        self.dag_ids = dag_ids
        self.users = users
        self.extra_env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "airflow.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def environment(self) -> dict[str, str]:
        home, dags = self.workdir / "home", self.workdir / "dags"
        home.mkdir(parents=True, exist_ok=True)
        dags.mkdir(exist_ok=True)
        for dag_id in self.dag_ids:
            link = dags / f"{dag_id}.py"
            if not link.exists():
                link.symlink_to(ROOT / "dags" / f"{dag_id}.py")
        passwords = self.workdir / "passwords.json"
        passwords.write_text(json.dumps({name: password for name, (_, password) in self.users.items()}))
        passwords.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        env.update(
            PYTHONPATH=f"{ROOT / 'include'}:{ROOT / 'plugins'}",
            PATH=f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM="4",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=self.metadata_url,
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API__BASE_URL=self.url,
            # Workers reach the API server here; Airflow's default would be :8080.
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.url}/execution/",
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=",".join(f"{n}:{r}" for n, (r, _) in self.users.items()),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
            AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="2",
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 600.0) -> None:
        """Start it and wait (bounded) until the API answers, every DAG is parsed and the
        console serves a page. The bound is generous: it is only reached when Airflow is
        broken, or on a machine so loaded that nothing else would pass either."""
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "airflow"), "standalone"],
            env=self.environment(),
            cwd=self.workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() signals all its components
        )
        token: str | None = None

        def ready() -> bool:
            nonlocal token
            if self._proc is not None and self._proc.poll() is not None:
                raise StandaloneError(f"airflow standalone exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:
                if token is None and httpx.get(f"{self.url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    token = self.token(next(iter(self.users)))
                if token is None:
                    return False
                response = httpx.get(
                    f"{self.url}/api/v2/dags", params={"limit": 100},
                    headers={"Authorization": f"Bearer {token}"}, timeout=5,
                )  # fmt: skip
                if not {d["dag_id"] for d in response.json().get("dags", [])} >= set(self.dag_ids):
                    return False
                # The plugin answers too (its first page warms its pool and templates).
                console = httpx.get(f"{self.url}/jet/orders", headers={"Authorization": f"Bearer {token}"}, timeout=60)
                return console.status_code == 200
            except httpx.TransportError:
                return False  # not listening yet: polled again, and reported if it never comes up

        try:
            poll(ready, timeout=timeout, what="airflow standalone ready (API, every DAG, the console)")
        except PollTimeout as exc:
            self.stop()
            raise StandaloneError(f"{exc}:\n{self.log_tail()}") from exc

    def token(self, user: str) -> str:
        """A JWT for ``user`` from Airflow's own login endpoint."""
        _, password = self.users[user]
        response = httpx.post(f"{self.url}/auth/token", json={"username": user, "password": password}, timeout=60)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def api(self, user: str) -> httpx.Client:
        """An httpx client on Airflow's REST API as ``user``."""
        return httpx.Client(
            base_url=f"{self.url}/api/v2", headers={"Authorization": f"Bearer {self.token(user)}"}, timeout=60
        )

    def wait_for_run(self, user: str, dag_id: str, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
        """Poll (bounded) until the run ends; its final JSON."""
        with self.api(user) as api:

            def ended() -> dict[str, Any] | None:
                run = api.get(f"/dags/{dag_id}/dagRuns/{run_id}").json()
                return dict(run) if run["state"] in ("success", "failed") else None

            try:
                return poll(ended, timeout=timeout, what=f"run {dag_id}/{run_id} ended")
            except PollTimeout as exc:
                raise StandaloneError(f"{exc}:\n{self.log_tail()}") from exc

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after 30 s."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)
        # Components that outlived the standalone process itself.
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):  # the group is gone: nothing left to stop
                os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
