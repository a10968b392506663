"""The decision fixtures (a clean warehouse with the demo catalog, the real pull and
refresh over HTTP): the orders whose story is read here are decided by the real rules."""

from __future__ import annotations

from tests.integration.decisions.conftest import decisions_db, pull, refresh, seeded  # noqa: F401 - fixtures
