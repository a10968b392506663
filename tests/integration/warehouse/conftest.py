"""The decision fixtures (a clean warehouse with the demo catalog, the real pull and
refresh over HTTP) and the fulfilment ones (a clean warehouse, orders placed at the
sandbox): the orders whose story and status are read here go through the real rules."""

from __future__ import annotations

from tests.integration.decisions.conftest import decisions_db, pull, refresh, seeded  # noqa: F401 - fixtures
from tests.integration.fulfillment.conftest import fdb, place  # noqa: F401 - fixtures
