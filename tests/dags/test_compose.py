"""docker-compose.yaml: valid against the Compose specification's JSON schema, and
shaped as the README promises. No Docker engine runs here, so the file is checked,
not run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "fixtures" / "compose-spec.json"
pytestmark = pytest.mark.unit


def check(path: Path) -> subprocess.CompletedProcess[str]:
    # Compose durations are Go-style ("10s"), not ISO 8601: the schema's "duration"
    # format does not apply, as in Compose's own validation.
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("check-jsonschema")),
            "--disable-formats",
            "duration",
            "--schemafile",
            str(SCHEMA),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_matches_the_compose_schema() -> None:
    result = check(ROOT / "docker-compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_an_invalid_compose_file(tmp_path: Path) -> None:
    bad = tmp_path / "docker-compose.yaml"
    bad.write_text("services:\n  web:\n    image: [not, a, string]\n    restart_policy_typo: always\n")
    result = check(bad)
    assert result.returncode != 0
    assert "image" in result.stdout + result.stderr


def test_compose_runs_celery_with_both_databases_and_the_sandbox() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "warehouse", "redis", "jet-sandbox", "airflow-worker", "airflow-scheduler"} <= set(services)
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert "/opt/airflow/include" in env["PYTHONPATH"]
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert '"host":"warehouse"' in env["AIRFLOW_CONN_JET_WAREHOUSE"]
    assert '"host":"jet-sandbox"' in env["AIRFLOW_CONN_JET_API"]
    mounts = {v.split(":")[1] for v in services["airflow-worker"]["volumes"]}
    assert {"/opt/airflow/dags", "/opt/airflow/include", "/opt/airflow/plugins"} <= mounts
    assert "jet_sandbox" in services["jet-sandbox"]["command"]


# Compose service of each component `make airflow EXECUTOR=celery` starts.
COMPOSE_SERVICE = {
    "api-server": "airflow-apiserver",
    "scheduler": "airflow-scheduler",
    "dag-processor": "airflow-dag-processor",
    "triggerer": "airflow-triggerer",
    "worker": "airflow-worker",
}


def test_compose_runs_celery_as_make_airflow_does() -> None:
    """Same executor settings (jet.runtime), same components, two workers."""
    from jet.runtime import Deployment, celery_settings

    services = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())["services"]
    env = services["airflow-scheduler"]["environment"]
    parallelism = int(env["AIRFLOW__CORE__PARALLELISM"])
    deployment = Deployment(
        "celery",
        api_port=8080,
        metadata_url=env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        broker_url=env["AIRFLOW__CELERY__BROKER_URL"],
        cores=parallelism // 2,
    )
    wanted = deployment.environment()
    # Every executor setting make airflow uses, with the same value (hosts are the containers').
    for key in (
        *celery_settings(broker_url="redis://x", metadata_url="postgresql://x/y", parallelism=1),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL",
    ):
        assert env.get(key) == wanted[key], key
    components = {c.name.rstrip("-0123456789"): c for c in deployment.components(lambda: 0)}
    assert set(components) == set(COMPOSE_SERVICE)
    for name, service in COMPOSE_SERVICE.items():
        command = services[service]["command"].split()
        assert command == list(components[name].argv[1 : 1 + len(command)]), service
    worker = services["airflow-worker"]
    assert worker["deploy"]["replicas"] == deployment.workers == 2
    command = worker["command"].split()
    assert command[command.index("--concurrency") + 1] == wanted["AIRFLOW__CELERY__WORKER_CONCURRENCY"]
