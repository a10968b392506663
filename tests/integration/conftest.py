"""Fixtures the settlement and report tests share: the settlement tests' scratch
warehouse and the sandbox with a month of business (see tests/integration/settlement/
conftest.py). They sit here, above both packages, so that the session has one of each:
a conftest imported into another package would define them twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

HISTORY_SEED = 42


@pytest.fixture(scope="session")
def settlement_db_url(warehouse_url: str) -> str:
    """A freshly created and migrated scratch warehouse for the settlement and report tests."""
    from jet.warehouse.scratch import scratch_database

    return scratch_database(warehouse_url, "settlement", fresh=True)


@pytest.fixture(scope="session")
def history_sandbox() -> Iterator[Any]:
    """A sandbox process with a month of business (scenario ``history``), clock frozen."""
    from jet_sandbox.testing import SandboxProcess

    with SandboxProcess(seed=HISTORY_SEED, scenario="history", clock="manual") as sb:
        yield sb


@pytest.fixture(scope="module")
def settlement_env(settlement_db_url: str, history_sandbox: Any) -> Iterator[Any]:
    """Point jet_warehouse at the scratch warehouse and jet_api at the history sandbox."""
    from jet.warehouse.db import airflow_connection

    warehouse = airflow_connection(settlement_db_url)
    api = history_sandbox.airflow_connection(
        extra={"rate_limit_per_second": 2000, "rate_limit_burst": 200, "max_concurrency": 16}
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_JET_WAREHOUSE", warehouse)
        mp.setenv("AIRFLOW_CONN_JET_API", api)
        mp.setenv("JET_WAREHOUSE_URL", settlement_db_url)
        yield history_sandbox


@pytest.fixture(scope="module")
def sdb(settlement_db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the scratch warehouse."""
    with psycopg.connect(settlement_db_url, autocommit=True) as conn:
        yield conn
