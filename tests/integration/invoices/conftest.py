"""The fulfilment fixtures (a clean warehouse, orders placed and acknowledged at the
sandbox), which these tests share with tests/integration/fulfillment."""

from __future__ import annotations

from tests.integration.fulfillment.conftest import fdb, place  # noqa: F401 - fixtures
