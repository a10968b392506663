"""The decision fixtures (a clean warehouse with the demo catalog, the real pull and
refresh over HTTP), which these tests share with tests/integration/decisions."""

from __future__ import annotations

from tests.integration.decisions.conftest import decisions_db, pull, refresh, seeded  # noqa: F401 - fixtures
