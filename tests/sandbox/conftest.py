"""Fixtures for the Jet sandbox: one subprocess per test session, reset before each test.

Other test folders can reuse them with ``pytest_plugins = ["tests.sandbox.conftest"]`` or
by importing :class:`jet_sandbox.testing.SandboxProcess` directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess

SEED = 42


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    """The sandbox subprocess (manual clock), shared by the session."""
    with SandboxProcess(seed=SEED, scenario="default", clock="manual") as process:
        yield process
        # Every error the tests provoke must be an answered 4xx, never an unhandled exception.
        log = process.log_text()
        assert "Traceback" not in log, log


@pytest.fixture
def sandbox(sandbox_process: SandboxProcess) -> SandboxProcess:
    """The shared sandbox, reset to seed 42 / scenario default (no faults, empty ledger)."""
    sandbox_process.reset(seed=SEED, scenario="default")
    return sandbox_process


@pytest.fixture
def jet(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """An httpx client on ``/api`` (paths like ``/orders/ready``) that re-authenticates on 401."""
    with sandbox.jet_client() as client:
        yield client
