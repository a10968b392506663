"""CeleryExecutor settings for one machine that outgrew LocalExecutor: Redis as the broker,
the Airflow metadata database as the result backend, N workers on one queue.

One place for them, as Airflow environment variables, so the latency benchmark, the
Celery integration test and whoever runs Airflow by hand configure Celery the same way
(``docker-compose.yaml`` sets the same keys for its services).

Redis: ``JET_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). Without one answering,
:func:`redis_problem` says what to install or set.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
#: Task processes per worker: two workers of two fit a 2-core machine beside the scheduler.
DEFAULT_WORKER_CONCURRENCY = 2


def redis_url() -> str:
    """The broker URL: ``JET_REDIS_URL`` or the local default."""
    return os.environ.get("JET_REDIS_URL") or DEFAULT_REDIS_URL


def redis_problem(url: str | None = None, timeout: float = 2.0) -> str | None:
    """Why Redis at ``url`` cannot be used (None when it answers PING)."""
    url = url or redis_url()
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return f"JET_REDIS_URL={url!r} is not a redis:// URL"
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if parts.password:
                sock.sendall(f"AUTH {parts.password}\r\n".encode())
                sock.recv(64)
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        return (
            f"no Redis answers at {host}:{port} ({exc}): install and start one "
            "(Debian: apt-get install redis-server) or set JET_REDIS_URL=redis://host:port/db"
        )
    if not answer.startswith(b"+PONG"):
        return f"Redis at {host}:{port} did not answer PING: {answer[:60]!r}"
    return None


def result_backend(metadata_url: str) -> str:
    """Celery's result backend on the Airflow metadata database (psycopg2: works on every
    Airflow the provider supports)."""
    parts = urlsplit(metadata_url)
    return "db+postgresql+psycopg2://" + parts.netloc + parts.path


def celery_environment(
    metadata_url: str,
    *,
    queue: str = "default",
    broker: str | None = None,
    worker_concurrency: int = DEFAULT_WORKER_CONCURRENCY,
) -> dict[str, str]:
    """Airflow settings (environment variables) for CeleryExecutor.

    ``queue`` names the Celery queue tasks go to and workers read: on a Redis shared by
    several Airflows (engineers' machines, test runs), a queue of one's own keeps another
    Airflow's workers from taking this one's tasks.
    """
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker or redis_url(),
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend(metadata_url),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency),
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        # A worker takes one task at a time per process: with prefetching, a short task can
        # wait behind a long one while another worker is idle.
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        # Redis redelivers a task not acknowledged within this; above every task's
        # execution_timeout (20 minutes at most), far below Celery's 24-hour default.
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "3600",
    }


def worker_argv(airflow: str, name: str, *, queue: str = "default", concurrency: int | None = None) -> list[str]:
    """The command line of one worker (``name`` must be unique on the machine)."""
    argv = [airflow, "celery", "worker", "--celery-hostname", f"{name}@%h", "--queues", queue, "--skip-serve-logs"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    return argv
