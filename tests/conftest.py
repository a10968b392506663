"""Test-wide setup. Runs before anything imports airflow.

The environment that `make setup` resolved (.local/env.json) is loaded, then the test
twins replace the demo's databases: tests write to ``*_test`` databases only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import psycopg

ROOT = Path(__file__).resolve().parent.parent
_env_file = ROOT / ".local" / "env.json"
if _env_file.exists():
    for _key, _value in json.loads(_env_file.read_text()).items():
        os.environ.setdefault(_key, _value)

if os.environ.get("JET_TEST_WAREHOUSE_URL"):
    from jet.warehouse.db import airflow_connection as _warehouse_connection

    os.environ["JET_WAREHOUSE_URL"] = os.environ["JET_TEST_WAREHOUSE_URL"]
    os.environ["AIRFLOW_CONN_JET_WAREHOUSE"] = _warehouse_connection(os.environ["JET_TEST_WAREHOUSE_URL"])
if os.environ.get("JET_TEST_AIRFLOW_DB_URL"):
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = os.environ["JET_TEST_AIRFLOW_DB_URL"]
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")


@pytest.fixture(scope="session")
def warehouse_url() -> str:
    """URL of the test warehouse (migrated by `make setup`)."""
    url = os.environ.get("JET_TEST_WAREHOUSE_URL")
    if not url:
        pytest.fail("JET_TEST_WAREHOUSE_URL is not set: run the tests with `make test` (or `make setup` first)")
    return url


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Any]:
    """A psycopg 3 connection to the test warehouse (autocommit)."""
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn


ORDER_TABLES = (
    "jet.ingest_batches",
    "jet.order_payloads",
    "jet.quarantine",
    "jet.customers",
    "jet.orders",
    "jet.order_items",
    "jet.shipping_addresses",
    "jet.order_shipments",
    "jet.order_status_history",
    "jet.order_fetch_misses",
    "jet.unreadable",
)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Any]:
    from jet_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=42, scenario="empty", clock="manual") as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server: Any) -> Any:
    """The sandbox, reset to an empty catalog-only business with instant fraud check."""
    sandbox_server.reset(seed=42, scenario="empty", config={"fraud_check_delay_seconds": 0})
    sandbox_server.clear_faults()
    sandbox_server.clear_requests()
    return sandbox_server


@pytest.fixture
def jet_connection(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Point the jet_api Airflow connection at the sandbox. Call the returned function
    to set other extras (rate budget, concurrency, timeouts) before building a hook."""

    from jet_sandbox.testing import CONNECTION_EXTRA

    def configure(**extra: Any) -> None:
        monkeypatch.setenv("AIRFLOW_CONN_JET_API", sandbox.airflow_connection(extra={**CONNECTION_EXTRA, **extra}))

    configure()
    return configure


@pytest.fixture
def clean_orders(warehouse: psycopg.Connection) -> psycopg.Connection:
    """The test warehouse with every order table empty."""
    from jet.warehouse.scratch import empty

    empty(warehouse, ORDER_TABLES)  # past the append-only triggers (order notes, status history)
    return warehouse


@pytest.fixture(scope="session")
def dag_bag() -> Any:
    """The DagBag of the project's dags/ folder, parsed once per session: each parse costs
    seconds, and no test changes a DAG object (a test that needs a DAG's run uses ``dag.test``)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.dags
    assert bag.import_errors == {}
    return bag
