"""`make airflow`: this project's Airflow on this machine, with the Jet sandbox.

Starts the sandbox (real clock) unless the ``jet_api`` connection points elsewhere,
loads the sandbox's catalog into a warehouse that has none, then Airflow's components
one by one (api-server, scheduler, dag-processor, triggerer and, with
``EXECUTOR=celery``, two Celery workers on Redis), each logging to its own file under
``.local/logs/``. The banner (URL, login, catalog, log files) is printed at once and
again when the API server passes its health check. Ctrl-C stops everything.

Settings (environment, ``make`` arguments, or ``.env``): ``AIRFLOW_PORT`` (8080),
``EXECUTOR`` (``local`` or ``celery``), ``JET_REDIS_URL`` (redis://127.0.0.1:6379/0),
``JET_SANDBOX_ORDERS_PER_HOUR`` (30) and ``JET_SANDBOX_FRAUD_CHECK_SECONDS`` (120).
Run through ``scripts/run`` (make does).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".local" / "logs"
sys.path.insert(0, str(ROOT / "include"))

from bootstrap import AIRFLOW_PASSWORDS, load_dotenv  # noqa: E402
from jet.runtime import (  # noqa: E402
    Component,
    ComponentExited,
    Deployment,
    RedisUnavailable,
    Stack,
    check_redis,
    redact,
    redis_url,
)
from jet.runtime.seed import CatalogSeed, seed_catalog_if_empty  # noqa: E402
from jet_sandbox.testing import free_port  # noqa: E402

STARTUP_TIMEOUT = 600.0  # seconds: only reached when something is broken (2 busy cores start it in ~1 min)


class Stop(SystemExit):
    """Stops `make airflow` before anything runs, with what to do (exit status 2)."""

    def __init__(self, message: str) -> None:
        print(f"\nmake airflow: {message}\n", file=sys.stderr, flush=True)
        super().__init__(2)


def setting(name: str, default: str, dotenv: dict[str, str]) -> str:
    """``name`` from the environment (or a ``make`` argument), else ``.env``, else ``default``."""
    return (os.environ.get(name) or dotenv.get(name) or default).strip()


def parse_port(name: str, raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise Stop(f"{name} must be a TCP port number (1-65535), not {raw!r}")
    return int(raw)


def ensure_port_free(port: int, name: str, what: str) -> None:
    """Stop with a clear message when something already listens on ``port``."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port just freed by Ctrl-C is free
        try:
            sock.bind(("127.0.0.1", port))
            return
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    holder = "another program"
    try:
        version = httpx.get(f"http://127.0.0.1:{port}/api/v2/version", timeout=2).json()["version"]
        holder = f"another Airflow ({version}; a `make airflow` still running?)"
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        pass  # not an Airflow: the generic wording stays
    raise Stop(
        f"port {port} ({what}) is taken by {holder}.\n"
        f"  Stop it, or start on another port: make airflow {name}={port + 1}"
        f"  (or put {name}=... in .env)"
    )


def jet_connection() -> dict[str, Any]:
    raw = os.environ.get("AIRFLOW_CONN_JET_API", "")
    try:
        return dict(json.loads(raw))
    except ValueError as exc:
        raise Stop(f"AIRFLOW_CONN_JET_API is not JSON ({exc}); see .env.example") from exc


def uses_sandbox(conn: dict[str, Any], sandbox_port: int) -> bool:
    """Whether the pipelines talk to the bundled sandbox (so this script runs it)."""
    return conn.get("host") in ("127.0.0.1", "localhost") and int(conn.get("port") or 0) == sandbox_port


def sandbox_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sandbox/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def our_credentials_work(url: str, conn: dict[str, Any]) -> bool:
    response = httpx.post(
        f"{url}/api/token", json={"user": conn.get("login"), "pass": conn.get("password")}, timeout=10
    )
    return response.status_code == 200


def start_sandbox(
    stack: Stack, port: int, conn: dict[str, Any], stop: threading.Event, business: dict[str, float]
) -> str:
    """Reuse a sandbox already on ``port`` that takes our credentials, or start one; its state."""
    url = f"http://127.0.0.1:{port}"
    if sandbox_answers(url):
        if our_credentials_work(url, conn):
            return "already running (reused)"
        raise Stop(
            f"a Jet sandbox already runs on port {port} with other credentials (someone else's?).\n"
            "  Stop it, or use another port: JET_SANDBOX_PORT=... in .env, then make setup"
        )
    ensure_port_free(port, "JET_SANDBOX_PORT", "the Jet sandbox")
    stack.start(
        Component("sandbox", (sys.executable, "-m", "jet_sandbox", "serve", "--port", str(port), "--clock", "real")),
        cwd=ROOT,
    )
    wait_for(lambda: sandbox_answers(url), stack, stop, what="the Jet sandbox", timeout=120)
    httpx.put(f"{url}/_sandbox/config", json=business, timeout=10).raise_for_status()
    per_hour, delay = business["arrivals_per_hour"], business["fraud_check_delay_seconds"]
    return f"started: real clock, ~{per_hour:g} new orders/h, each ready {delay:g}s after it is placed"


def sandbox_business(dotenv: dict[str, str]) -> dict[str, float]:
    """How busy `make airflow`'s sandbox is: a trickle of new orders, so a newcomer watching
    the UI sees orders arrive, get decided and acknowledged.

    Jet kept a new order in its fraud check for about 30 minutes; the sandbox shortens that
    to 2 minutes by default so arrivals show within a short session (set
    JET_SANDBOX_FRAUD_CHECK_SECONDS=1800 for Jet's pace, JET_SANDBOX_ORDERS_PER_HOUR=0 for none).
    """
    values = {}
    for name, key, default in (
        ("JET_SANDBOX_ORDERS_PER_HOUR", "arrivals_per_hour", "30"),
        ("JET_SANDBOX_FRAUD_CHECK_SECONDS", "fraud_check_delay_seconds", "120"),
    ):
        raw = setting(name, default, dotenv)
        try:
            values[key] = float(raw)
        except ValueError:
            raise Stop(f"{name} must be a number, not {raw!r}") from None
        if values[key] < 0:
            raise Stop(f"{name} must be 0 or more, not {raw!r}")
    return values


def wait_for(check: Any, stack: Stack, stop: threading.Event, *, what: str, timeout: float) -> float:
    """Poll ``check`` (bounded) while watching the processes; seconds waited."""
    started = time.monotonic()
    while not check():
        stack.check()
        if stop.is_set():
            raise KeyboardInterrupt
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{what} did not come up within {timeout:.0f}s; see the logs in {rel(LOGS)}")
        stop.wait(1.0)
    return time.monotonic() - started


def api_health(url: str) -> dict[str, Any] | None:
    """The API server's health report, or None while it does not answer."""
    try:
        response = httpx.get(f"{url}/api/v2/monitor/health", timeout=5)
    except httpx.TransportError:
        return None
    return dict(response.json()) if response.status_code == 200 else None


def all_healthy(health: dict[str, Any] | None, since: datetime) -> bool:
    """Every component healthy, by a heartbeat of this start (not one left by an earlier run)."""
    if not health:
        return False
    for name in ("metadatabase", "scheduler", "dag_processor", "triggerer"):
        part = health.get(name) or {}
        if part.get("status") != "healthy":
            return False
        beat = part.get(f"latest_{name}_heartbeat")
        if name != "metadatabase" and (not beat or datetime.fromisoformat(beat) < since):
            return False
    return True


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def banner(
    *,
    title: str,
    deployment: Deployment,
    password: str,
    jet: str,
    catalog: str,
    logs: dict[str, Path],
) -> str:
    width = max(len(name) for name in logs) + 5
    lines = [
        "",
        f"  {title}",
        "  " + "-" * 72,
        f"  Airflow UI    {deployment.url}",
        f"  Login         admin / {password}   (AIRFLOW_ADMIN_PASSWORD in .env)",
        f"  Jet API       {jet}",
        f"  Catalog       {catalog}",
    ]
    if deployment.executor == "celery":
        lines.append(
            f"  Celery        {deployment.workers} workers on {redact(deployment.broker_url or '')},"
            f" keys {deployment.key_prefix}*"
        )
    lines.append(f"  DAGs          {rel(ROOT / 'dags')} (examples off, new DAGs start unpaused)")
    for i, (name, path) in enumerate(logs.items()):
        lines.append(("  Logs          " if i == 0 else " " * 16) + name.ljust(width) + rel(path))
    lines += [
        f"  Task logs     {rel(Path(os.environ['AIRFLOW_HOME']) / 'logs')}/",
        "  Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    dotenv = load_dotenv(ROOT / ".env")
    executor = setting("EXECUTOR", "local", dotenv).lower()
    port = parse_port("AIRFLOW_PORT", setting("AIRFLOW_PORT", "8080", dotenv))
    sandbox_port = parse_port("JET_SANDBOX_PORT", os.environ.get("JET_SANDBOX_PORT", "8089"))
    if executor not in ("local", "celery"):
        raise Stop(f"EXECUTOR must be local or celery, not {executor!r}")
    business = sandbox_business(dotenv)
    ensure_port_free(port, "AIRFLOW_PORT", "the Airflow UI and API")
    broker = None
    if executor == "celery":
        broker = redis_url({"JET_REDIS_URL": setting("JET_REDIS_URL", "", dotenv)})
        try:
            check_redis(broker)
        except RedisUnavailable as exc:
            raise Stop(str(exc)) from exc
    password = os.environ.get("AIRFLOW_ADMIN_PASSWORD", "")
    if not password or not AIRFLOW_PASSWORDS.exists():
        raise Stop("no Airflow login is set up: run `make setup` (it writes the password to .env)")
    deployment = Deployment(
        executor,  # type: ignore[arg-type]  # checked above
        api_port=port,
        metadata_url=os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        broker_url=broker,
    )
    env = dict(os.environ)
    env.update(deployment.environment())
    env.update(
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(AIRFLOW_PASSWORDS),
    )

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    conn = jet_connection()
    stack = Stack(LOGS, env)
    try:
        if uses_sandbox(conn, sandbox_port):
            state = start_sandbox(stack, sandbox_port, conn, stop, business)
            jet = f"the sandbox, http://127.0.0.1:{sandbox_port}/docs\n{' ' * 16}({state})"
            seed = seed_catalog_if_empty(
                os.environ["JET_WAREHOUSE_URL"], f"http://127.0.0.1:{sandbox_port}", datetime.now(UTC)
            )
            catalog = seed.describe()
        else:
            jet = f"{conn.get('schema', 'https')}://{conn.get('host')} (AIRFLOW_CONN_JET_API; no sandbox started)"
            catalog = _catalog_without_sandbox()
        # The API server first: task processes report to it, and one started before it
        # answers fails at once (a spurious failed try in the first minute).
        api, *others = deployment.components(free_port)
        stack.start(api, cwd=ROOT)
        started = datetime.now(UTC)
        title = f"Jetflow on Airflow, {'CeleryExecutor' if executor == 'celery' else 'LocalExecutor'}"
        logs = {**stack.logs(), **{c.name: LOGS / f"{c.name}.log" for c in others}}
        show = {"deployment": deployment, "password": password, "jet": jet, "catalog": catalog, "logs": logs}
        print(banner(title=f"{title}: starting", **show), flush=True)
        print(
            f"  waiting until {deployment.url}/api/v2/monitor/health reports every component healthy ...",
            flush=True,
        )
        wait_for(lambda: api_health(deployment.url) is not None, stack, stop, what="the API server", timeout=300)
        for component in others:
            stack.start(component, cwd=ROOT)
        wait_for(
            lambda: all_healthy(api_health(deployment.url), since=started),
            stack,
            stop,
            what="the scheduler, DAG processor and triggerer",
            timeout=STARTUP_TIMEOUT,
        )
        seconds = (datetime.now(UTC) - started).total_seconds()
        print(banner(title=f"{title}: ready ({seconds:.0f}s; health check passed)", **show))
        sys.stdout.flush()
        stack.wait(stop)
    except KeyboardInterrupt:
        pass  # Ctrl-C during the start: stop what was started, as after it
    except (ComponentExited, TimeoutError) as exc:
        print(f"\nmake airflow: {exc}\n", file=sys.stderr, flush=True)
        return 1
    finally:
        print("\nstopping Airflow and the sandbox ...", flush=True)
        stack.stop()
        print("stopped.", flush=True)
    return 0


def _catalog_without_sandbox() -> str:
    seed = CatalogSeed(seeded=False, products=_products(), stock_rows=0)
    if seed.products:
        return seed.describe()
    return "EMPTY: orders wait undecided until you load it (make load-inventory FILE=your_catalog.csv)"


def _products() -> int:
    import psycopg

    from jet.sql import read_sql

    with psycopg.connect(os.environ["JET_WAREHOUSE_URL"]) as conn:
        return int(conn.execute(read_sql("runtime_catalog_products.sql")).fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
