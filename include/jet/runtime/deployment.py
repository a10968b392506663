"""What a running Airflow is made of here: its components, their commands and settings.

`make airflow` starts each component itself instead of ``airflow standalone`` so that each
one logs to its own file and Celery workers can join; the latency benchmark and the Celery
integration test start the same components with the same settings from this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from jet.runtime import celery

Executor = Literal["local", "celery"]
EXECUTORS: tuple[Executor, ...] = ("local", "celery")


@dataclass(frozen=True)
class Component:
    """One long-running Airflow (or sandbox) process."""

    name: str  # also the stem of its log file
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)  # on top of the deployment's environment


@dataclass(frozen=True)
class Deployment:
    """One Airflow: executor, API port, metadata database and, for Celery, the broker.

    ``metadata_url`` is the SQLAlchemy URL of the metadata database
    (``postgresql+psycopg://...``); it also names the deployment's Redis keys (see
    :func:`jet.runtime.celery.key_prefix`).
    """

    executor: Executor
    api_port: int
    metadata_url: str
    broker_url: str | None = None
    workers: int = celery.WORKERS
    cores: int = field(default_factory=lambda: os.cpu_count() or 2)
    host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"unknown executor {self.executor!r}: choose one of {', '.join(EXECUTORS)}")
        if self.executor == "celery" and not self.broker_url:
            raise ValueError("the celery executor needs a broker_url (jet.runtime.celery.redis_url())")

    @property
    def url(self) -> str:
        """Where the API server (UI, REST API, Execution API) answers."""
        return f"http://{self.host}:{self.api_port}"

    @property
    def parallelism(self) -> int:
        # Airflow's default of 32 task processes swamps a laptop; two per core keeps a
        # 2-core machine responsive while ingestion waits on Jet.
        return self.cores * 2

    @property
    def key_prefix(self) -> str:
        return celery.key_prefix(self.metadata_url)

    def environment(self) -> dict[str, str]:
        """``AIRFLOW__*`` settings every component of this deployment runs with."""
        env = {
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(self.parallelism),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__API__HOST": self.host,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__BASE_URL": self.url,
            # Task processes report to the API server; Airflow's default assumes :8080.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
        }
        if self.executor == "celery":
            if self.broker_url is None:  # refused in __post_init__ already
                raise ValueError("the Celery executor needs a broker URL")
            env.update(
                celery.celery_settings(
                    broker_url=self.broker_url,
                    metadata_url=self.metadata_url,
                    parallelism=self.parallelism,
                    workers=self.workers,
                )
            )
        return env

    def components(self, free_port: Callable[[], int]) -> list[Component]:
        """Every Airflow process to start, in start order.

        ``free_port`` picks the log-serving ports: the defaults (8793, 8794) are shared by
        every Airflow on the machine, and a second one would fail to serve its logs.
        """
        scheduler_env = {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())}
        out = [
            Component("api-server", ("airflow", "api-server", "--port", str(self.api_port))),
            Component("scheduler", ("airflow", "scheduler"), scheduler_env),
            Component("dag-processor", ("airflow", "dag-processor")),
            Component(
                "triggerer", ("airflow", "triggerer"), {"AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}
            ),
        ]
        if self.executor == "celery":
            concurrency = celery.worker_concurrency(self.parallelism, self.workers)
            for i in range(1, self.workers + 1):
                out.append(
                    Component(
                        f"worker-{i}",
                        tuple(celery.worker_argv(i, concurrency, self.metadata_url)),
                        # Each worker serves its task logs to the UI on a port of its own.
                        {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())},
                    )
                )
        return out
