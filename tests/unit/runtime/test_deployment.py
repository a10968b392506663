"""What `make airflow`, the latency bench and the Celery test start: components and settings."""

from __future__ import annotations

import itertools

import pytest

from jet.runtime import DEFAULT_REDIS_URL, Deployment, key_prefix, redact, redis_url

pytestmark = pytest.mark.unit
META = "postgresql+psycopg://postgres@127.0.0.1:5432/jetflow_x_airflow"


def ports() -> itertools.count[int]:
    return itertools.count(41000)


def test_local_runs_the_four_components_and_reports_to_its_own_port() -> None:
    d = Deployment("local", api_port=8123, metadata_url=META, cores=2)
    env = d.environment()
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
    assert env["AIRFLOW__API__PORT"] == "8123"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "4"
    assert not any(k.startswith("AIRFLOW__CELERY__") for k in env)
    names = [c.name for c in d.components(ports().__next__)]
    assert names == ["api-server", "scheduler", "dag-processor", "triggerer"]


def test_celery_runs_two_workers_on_the_deployments_own_redis_keys() -> None:
    d = Deployment("celery", api_port=8080, metadata_url=META, broker_url="redis://127.0.0.1:6379/3", cores=2)
    env = d.environment()
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6379/3"
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + META
    prefix = env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX"]
    assert prefix == "jetflow-jetflow_x_airflow:" == d.key_prefix
    assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"  # 2 workers x 2 = parallelism 4
    components = d.components(ports().__next__)
    workers = [c for c in components if c.name.startswith("worker-")]
    assert [w.name for w in workers] == ["worker-1", "worker-2"]
    for w in workers:
        argv = list(w.argv)
        assert argv[:3] == ["airflow", "celery", "worker"]
        assert argv[argv.index("--concurrency") + 1] == "2"
    hostnames = {w.argv[list(w.argv).index("--celery-hostname") + 1] for w in workers}
    assert len(hostnames) == 2, "two workers on one machine need two Celery names"
    other = Deployment("celery", api_port=8081, metadata_url=META.replace("jetflow_x", "jetflow_y"), broker_url="x")
    other_names = {w.argv[list(w.argv).index("--celery-hostname") + 1] for w in other.components(ports().__next__)[4:]}
    assert not hostnames & other_names, "nor two deployments on one machine (a test beside make airflow)"
    log_ports = [c.env[k] for c in components for k in c.env if k.endswith("_LOG_SERVER_PORT")]
    assert len(set(log_ports)) == len(log_ports), "every log server on a port of its own"


def test_two_deployments_sharing_a_redis_do_not_share_a_key() -> None:
    assert key_prefix(META) != key_prefix(META.replace("jetflow_x", "jetflow_y"))


def test_bad_settings_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown executor 'kubernetes'"):
        Deployment("kubernetes", api_port=1, metadata_url=META)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a broker_url"):
        Deployment("celery", api_port=1, metadata_url=META)
    with pytest.raises(ValueError, match="redis:// or rediss://"):
        redis_url({"JET_REDIS_URL": "amqp://guest:secret@127.0.0.1:5672//"})


def test_redis_url_defaults_and_hides_passwords() -> None:
    assert redis_url({}) == DEFAULT_REDIS_URL == "redis://127.0.0.1:6379/0"
    assert redis_url({"JET_REDIS_URL": " redis://cache:6380/2 "}) == "redis://cache:6380/2"
    assert redact("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    with pytest.raises(ValueError, match="must be a redis://") as refused:
        redis_url({"JET_REDIS_URL": "http://user:s3cret@host/"})
    assert "s3cret" not in str(refused.value)
