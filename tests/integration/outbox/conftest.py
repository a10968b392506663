"""The decision fixtures (actions queued by the real decide step) and the fulfilment ones
(shipments and refunds on orders placed at the sandbox): the outbox sends what both queue."""

from __future__ import annotations

from tests.integration.decisions.conftest import decisions_db, pull, refresh, seeded  # noqa: F401 - fixtures
from tests.integration.fulfillment.conftest import fdb, place  # noqa: F401 - fixtures
