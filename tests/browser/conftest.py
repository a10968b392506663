"""Fixtures for the console tests: Debian's Chromium driven by Playwright, a sandbox whose
clock starts at the wall clock (deadlines count in real time in the inbox), the test
warehouse with a few orders in known states, and one real ``airflow standalone``.

Chromium is Debian's (``chromium`` on PATH, or ``$JET_CHROMIUM``, found and launched with
the report's own helpers in :mod:`jet.report.browser`; the setup installs it as root).
Where it is missing the browser tests are skipped with the command that installs it;
with ``CI=true`` they fail instead, so CI can never pass without running them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.integration.fulfillment.conftest import FULFILMENT_TABLES

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".local" / "browser"
#: The console's report folder in the standalone (JET_REPORT_DIR): empty until a test writes one.
REPORTS = SHOTS / "reports"
USERS = {"admin": ("admin", "admin-console-test"), "viewer": ("viewer", "viewer-console-test")}
DAG_IDS = ["jet_add_order_note", "jet_cancel_order", "jet_approve_order", "jet_held_orders"]
CONSOLE_TABLES = ("jet.held_order_prompts", *FULFILMENT_TABLES, "jet.inventory", "jet.products")


def chromium_or_skip() -> str:
    """The Chromium the report uses too (:func:`jet.report.browser.chromium_path`), else a
    skip naming the install command; with ``CI=true`` a failure instead."""
    from jet.report.browser import BrowserMissing, chromium_path

    try:
        return chromium_path()
    except BrowserMissing as exc:
        message = f"browser tests need Chromium: {exc} (make setup installs it when run as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Scene:
    """What the module's tests act on."""

    standalone: Any
    sandbox: Any
    warehouse_url: str
    cancel_order: str  # acknowledged at Jet, one open unit
    cancel_email: str
    held_inbox: str  # held: answered in Airflow's inbox
    held_console: str  # held: answered from the console first

    def sql(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.warehouse_url, autocommit=True) as conn:
            return conn.execute(statement, params).fetchall()


def _connection_env(sandbox: Any) -> dict[str, str]:
    return {"AIRFLOW_CONN_JET_API": sandbox.airflow_connection()}


@pytest.fixture(scope="module")
def scene(warehouse_url: str) -> Iterator[Scene]:
    """Orders in the states the tests need, and Airflow serving the console over them."""
    from jet.api.models import parse_jet_datetime
    from jet.catalog.demo import seed_from_sandbox
    from jet.decisions.store import decide_and_record
    from jet.orders.tasks import import_orders
    from jet.runs import RunIdentity
    from jet_sandbox.testing import SandboxProcess
    from tests.browser.standalone import Standalone, scratch_database
    from tests.integration.fulfillment.conftest import acknowledge_at_jet

    start = datetime.now(UTC).replace(microsecond=0).isoformat()
    with SandboxProcess(seed=11, scenario="empty", clock="manual") as sandbox:
        sandbox.reset(seed=11, scenario="empty", config={"fraud_check_delay_seconds": 0})
        sandbox.set_now(start)  # a reset rewinds the clock; the inbox's deadlines are real time
        saved = {k: os.environ.get(k) for k in ("AIRFLOW_CONN_JET_API",)}
        os.environ.update(_connection_env(sandbox))
        try:
            with psycopg.connect(warehouse_url, autocommit=True) as conn:
                from jet.warehouse.scratch import empty
                from tests.conftest import ORDER_TABLES

                empty(conn, (*ORDER_TABLES, *CONSOLE_TABLES))  # past the append-only triggers
                truth = sandbox.truth("catalog")
                now = parse_jet_datetime(sandbox.now())
                seed_from_sandbox(conn, truth, now)
                sku = next(
                    s["merchant_sku"] for s in truth["skus"] if s["known_to_merchant"] and s["merchant_on_hand"] > 5
                )
                line = [{"merchant_sku": sku, "quantity": 1}]
                (cancel_id,) = sandbox.generate_orders(1, status="ready", lines=line)
                acknowledge_at_jet(sandbox, cancel_id)
                held = sandbox.generate_orders(2, status="ready", lines=line)
                run = RunIdentity("jet_import_order", "test__console_setup", now)
                import_orders(run, merchant_order_ids=[cancel_id, *held])
                conn.execute("SELECT jet.change_settings('tests', p_auto_acknowledge => false)")
                decide_and_record(conn, RunIdentity("jet_decide_orders", "test__console_decide", now))
                email = conn.execute(
                    "SELECT hash_email FROM jet.orders WHERE merchant_order_id = %s", (cancel_id,)
                ).fetchone()[0]
            # Under .local (gitignored), not a pytest temp dir: the log outlives a failed run.
            workdir = SHOTS / "airflow"
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            shutil.rmtree(REPORTS, ignore_errors=True)
            metadata = scratch_database(os.environ["JET_TEST_AIRFLOW_DB_URL"], "console")
            env = {**_connection_env(sandbox), "JET_REPORT_DIR": str(REPORTS)}
            standalone = Standalone(workdir, metadata, DAG_IDS, USERS, env)
            standalone.start()
            try:
                # Ask the held orders now rather than at the next 3-minute tick.
                with standalone.api("admin") as api:
                    asked = api.post("/dags/jet_held_orders/dagRuns", json={"logical_date": None})
                    assert asked.status_code == 200, asked.text
                yield Scene(standalone, sandbox, warehouse_url, cancel_id, email, held[0], held[1])
            finally:
                standalone.stop()
        finally:
            with psycopg.connect(warehouse_url, autocommit=True) as conn:
                conn.execute("SELECT jet.change_settings('tests', p_auto_acknowledge => true)")
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (Playwright drives it; no browser download)."""
    chromium_or_skip()
    from jet.report.browser import chromium as launch

    SHOTS.mkdir(parents=True, exist_ok=True)
    with launch() as browser:
        yield browser
