"""Running Airflow for Jetflow: components, executor settings (Local or Celery on Redis).

One place for what `make airflow`, the latency benchmark and the Celery integration test
start, so they run the same Airflow; ``docker-compose.yaml`` is checked against it.

    deployment = Deployment("celery", api_port=8080, metadata_url=..., broker_url=redis_url())
    check_redis(deployment.broker_url)
    with Stack(log_dir, {**os.environ, **deployment.environment()}) as stack:
        for component in deployment.components(free_port):
            stack.start(component)
"""

from jet.runtime.celery import (
    DEFAULT_REDIS_URL,
    WORKERS,
    RedisUnavailable,
    celery_settings,
    check_redis,
    key_prefix,
    redact,
    redis_url,
)
from jet.runtime.deployment import EXECUTORS, Component, Deployment, Executor
from jet.runtime.stack import ComponentExited, Stack

__all__ = [
    "DEFAULT_REDIS_URL",
    "EXECUTORS",
    "WORKERS",
    "Component",
    "ComponentExited",
    "Deployment",
    "Executor",
    "RedisUnavailable",
    "Stack",
    "celery_settings",
    "check_redis",
    "key_prefix",
    "redact",
    "redis_url",
]
