"""CeleryExecutor on Redis: the one place its settings are written.

`make airflow EXECUTOR=celery`, the latency benchmark (``bench/support/airflow_stack.py``)
and the Celery integration test all take their executor settings from here, and
``docker-compose.yaml`` is checked against them (tests/dags/test_compose.py), so the ways
of running Celery cannot drift apart.

Two choices, where earlier copies of these settings differed:

- Deployments sharing one Redis are kept apart by a Redis key prefix named after the
  metadata database (:func:`key_prefix`), not by a Celery queue per deployment. A task's
  queue is fixed when its DAG is parsed, so a queue name has to reach every DAG and
  every worker's ``--queues``; a prefix covers every queue, ack and control message of
  the deployment whatever the tasks say, and the DAGs keep Airflow's ``default`` queue.
- The result backend is the metadata database through the driver of its own URL
  (psycopg 3 unless the URL names another, as the compose file's ``psycopg2`` does):
  one driver per deployment for one database, rather than a second driver for Celery.

Redelivery by Redis (``visibility_timeout``) stays at Airflow's one day: the scheduler, not
Redis, recovers lost tasks (``task_queued_timeout``, the task heartbeat), so an earlier
redelivery could only run again a task still running (``jet_catalog_sync`` may take 50
minutes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

#: Where the broker is looked for when ``JET_REDIS_URL`` is not set.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
#: `make airflow EXECUTOR=celery` starts this many ``airflow celery worker`` processes.
WORKERS = 2


class RedisUnavailable(RuntimeError):
    """No Redis answers where the broker should be; the message says what to install or set."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        super().__init__(
            f"no Redis answers at {redact(url)} ({reason}). CeleryExecutor needs a Redis broker:\n"
            "  - install and start one (Debian/Ubuntu: sudo apt-get install redis-server;"
            " macOS: brew install redis && brew services start redis), or\n"
            "  - point JET_REDIS_URL at yours, e.g. JET_REDIS_URL=redis://HOST:6379/0"
            " (in .env or the environment), or\n"
            "  - run without Celery: `make airflow` (LocalExecutor, nothing else to install)."
        )


def redis_url(environ: Mapping[str, str] | None = None) -> str:
    """The broker URL: ``JET_REDIS_URL`` if set, else Redis on 127.0.0.1:6379, database 0."""
    env = os.environ if environ is None else environ
    url = (env.get("JET_REDIS_URL") or "").strip() or DEFAULT_REDIS_URL
    if urlsplit(url).scheme not in ("redis", "rediss"):
        raise ValueError(f"JET_REDIS_URL must be a redis:// or rediss:// URL, not {redact(url)!r}")
    return url


def redact(url: str) -> str:
    """``url`` without its password, for messages and banners."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def check_redis(url: str, timeout: float = 3.0) -> None:
    """Raise :class:`RedisUnavailable` unless a Redis at ``url`` answers PING within ``timeout``."""
    import redis  # in the lock through celery[redis]; imported late: only Celery runs need it

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        if not client.ping():
            raise RedisUnavailable(url, "PING was not answered")
    except redis.exceptions.RedisError as exc:
        raise RedisUnavailable(url, f"{type(exc).__name__}: {exc}") from exc
    finally:
        client.close()


def key_prefix(metadata_url: str) -> str:
    """The prefix of every Redis key one deployment's Celery uses, named after its metadata database.

    Several Airflows may share one Redis (a laptop's, or CI's): a worker must only take
    tasks of its own scheduler, whose metadata database it reports to. A queue name per
    deployment is not enough (a task's queue is fixed when its DAG is parsed, so tasks
    of DAGs parsed before the switch still go to ``default``); a key prefix keeps every
    queue, ack and control message of the deployment apart whatever the task says.
    """
    name = urlsplit(metadata_url).path.lstrip("/") or "airflow"
    return "jetflow-" + re.sub(r"[^A-Za-z0-9_.-]", "-", name) + ":"


def result_backend(metadata_url: str) -> str:
    """Celery's result backend: the metadata database itself (no second store to run)."""
    parts = urlsplit(metadata_url)
    scheme = parts.scheme if "+" in parts.scheme else "postgresql+psycopg"
    return "db+" + urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))


def worker_concurrency(parallelism: int, workers: int = WORKERS) -> int:
    """Task slots per worker so that all workers together run ``parallelism`` tasks."""
    return max(1, parallelism // max(1, workers))


def celery_settings(*, broker_url: str, metadata_url: str, parallelism: int, workers: int = WORKERS) -> dict[str, str]:
    """The ``AIRFLOW__*`` settings that make every component use CeleryExecutor on ``broker_url``.

    The same keys appear in ``docker-compose.yaml``'s common environment (with the
    containers' host names).
    """
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": result_backend(metadata_url),
        # This deployment's keys only, in a Redis others may share (see key_prefix).
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": key_prefix(metadata_url),
        # Redelivery after a day, Airflow's default (see the module's docstring), said here
        # so that no component logs a warning about it at every start.
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "86400",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency(parallelism, workers)),
        # One task at a time per free slot: a worker never hoards tasks another could start.
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
    }


def worker_argv(index: int, concurrency: int, metadata_url: str) -> list[str]:
    """The command of worker ``index`` (1-based) of the deployment on ``metadata_url``."""
    return [
        "airflow",
        "celery",
        "worker",
        "--concurrency",
        str(concurrency),
        # Workers on one machine need distinct names, or Celery refuses the second; named
        # by deployment too, as a benchmark and a test may run Celery beside `make airflow`.
        "--celery-hostname",
        f"{key_prefix(metadata_url).rstrip(':')}-worker-{index}@%h",
    ]
