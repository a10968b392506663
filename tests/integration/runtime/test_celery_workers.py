"""The pipeline on CeleryExecutor: a real scheduler, DAG processor and API server, two real
Celery workers on Redis, the test warehouse and the sandbox on its real clock. Orders are
pulled, decided and acknowledged, then shipped, every task through the workers, and the
sandbox's ledger shows every write applied exactly once.

Redis: ``JET_REDIS_URL`` or 127.0.0.1:6379. Without one the test is skipped with what to
install, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from bench.support.airflow_stack import AirflowStack, metadata_database

from jet.runtime import RedisUnavailable, check_redis, redis_url
from jet.warehouse.db import airflow_connection
from tests.conftest import ORDER_TABLES
from tests.helpers import poll

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAGS = ["jet_orders", "jet_decide_orders", "jet_ship_order", "jet_fulfillment"]
OUTBOX_TABLES = (
    "jet.action_attempts",
    "jet.actions",
    "jet.decision_lines",
    "jet.decisions",
    "jet.shipment_request_lines",
    "jet.shipment_requests",
    "jet.inventory",
    "jet.products",
)


@pytest.fixture(scope="module")
def redis() -> Any:
    import redis as redis_client

    url = redis_url()
    try:
        check_redis(url)
    except RedisUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and no Redis for the Celery test: {exc}")
        pytest.skip(f"Celery test needs Redis: {exc}")
    client = redis_client.Redis.from_url(url)
    yield client
    client.close()


@pytest.fixture
def real_clock_sandbox() -> Any:
    """A sandbox of its own on its real clock, aligned with the wall clock the scheduler
    stamps runs with (deadlines and ship dates compare the two)."""
    from jet_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=7, scenario="empty", clock="real", start=datetime.now(UTC).isoformat()) as sb:
        sb.set_now(datetime.now(UTC).isoformat())
        sb.set_config(fraud_check_delay_seconds=0)
        yield sb


def test_ingest_decide_and_ship_through_two_celery_workers_apply_every_write_once(
    redis: Any, real_clock_sandbox: Any, warehouse_url: str, tmp_path: Path
) -> None:
    from jet.api.models import parse_jet_datetime
    from jet.catalog.demo import seed_from_sandbox
    from jet.warehouse.scratch import empty

    sandbox = real_clock_sandbox
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        empty(conn, (*ORDER_TABLES, *OUTBOX_TABLES))
        truth = sandbox.truth("catalog")
        seed_from_sandbox(conn, truth, parse_jet_datetime(sandbox.now()))
    sku = next(s["merchant_sku"] for s in truth["skus"] if s["known_to_merchant"] and s["merchant_on_hand"] > 50)
    ids = sandbox.generate_orders(3, status="ready", lines=[{"merchant_sku": sku, "quantity": 1}])

    w = urlsplit(warehouse_url)
    env = {
        "AIRFLOW_CONN_JET_API": sandbox.airflow_connection(),
        "AIRFLOW_CONN_JET_WAREHOUSE": airflow_connection(warehouse_url),
        "JET_WAREHOUSE_URL": warehouse_url,
    }
    metadata = metadata_database(os.environ["JET_TEST_AIRFLOW_DB_URL"], f"{w.path.lstrip('/')}_celery_meta")
    # No deferrable task in these DAGs: no triggerer.
    components = ("api-server", "scheduler", "dag-processor")
    stack = AirflowStack(tmp_path, metadata, DAGS, env, executor="celery", celery_workers=2, components=components)
    stack.start()
    try:
        # Unpausing creates the scheduled runs at once: jet_orders pulls the orders, its
        # Asset runs jet_decide_orders, which acknowledges them (its own timer's run, made
        # at the same time, decides whatever it finds first; the other then finds nothing).
        stack.unpause(DAGS)
        poll(lambda: stack.check_alive() or len(acks(sandbox)) == 3, timeout=300, what="three acknowledgements at Jet")
        shipment = {"carrier": "FedEx", "shipping_method": "FedEx Home Delivery", "ship_from_zip": "07030"}
        ship_runs = [
            stack.trigger("jet_ship_order", {**shipment, "merchant_order_id": oid, "tracking_number": f"77{n:010d}"})
            for n, oid in enumerate(ids)
        ]
        for run_id in ship_runs:  # three at once (max_active_runs=4): both workers busy
            assert stack.wait_for_run("jet_ship_order", run_id)["state"] == "success"
        uploaded = stack.trigger("jet_fulfillment")
        assert stack.wait_for_run("jet_fulfillment", uploaded)["state"] == "success"
        poll(lambda: len(ships(sandbox)) == 3, timeout=120, what="three shipments at Jet")

        # Every task of every run went through this stack's workers, on this stack's own
        # Redis keys (another Airflow may share the Redis).
        assert redis.exists(f"{stack.key_prefix}_kombu.binding.default"), sorted(redis.scan_iter(count=1000))[:20]
        tis = [
            ti
            for dag_id in DAGS
            for run in stack.runs(dag_id)
            for ti in stack.task_instances(dag_id, run["dag_run_id"])
            if ti["state"] in ("success", "failed")
        ]
        assert tis
        received = [stack.log_tail(f"worker-{n}", 100_000).count("] received") for n in (1, 2)]
        assert sum(received) >= len(tis), received
    finally:
        stack.stop()

    assert acks(sandbox) == Counter({oid: 1 for oid in ids}), "each order acknowledged once"
    assert ships(sandbox) == Counter({oid: 1 for oid in ids}), "each order shipped once"


def acks(sandbox: Any) -> Counter[str]:
    return Counter(e["merchant_order_id"] for e in sandbox.ledger() if "acknowledgement_status" in (e["body"] or {}))


def ships(sandbox: Any) -> Counter[str]:
    return Counter(e["merchant_order_id"] for e in sandbox.ledger() if "shipments" in (e["body"] or {}))
