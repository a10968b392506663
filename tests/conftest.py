"""Test-wide setup. Runs before anything imports airflow.

The environment that `make setup` resolved (.local/env.json) is loaded, then the test
twins replace the demo's databases: tests write to ``*_test`` databases only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_env_file = ROOT / ".local" / "env.json"
if _env_file.exists():
    for _key, _value in json.loads(_env_file.read_text()).items():
        os.environ.setdefault(_key, _value)

if os.environ.get("JET_TEST_WAREHOUSE_URL"):
    os.environ["JET_WAREHOUSE_URL"] = os.environ["JET_TEST_WAREHOUSE_URL"]
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
def warehouse(warehouse_url: str) -> Iterator[object]:
    """A psycopg 3 connection to the test warehouse (autocommit)."""
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn
