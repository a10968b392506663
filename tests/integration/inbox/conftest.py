"""Fixtures for the inbox tests: held orders (auto-acknowledge off) decided by the real
decision stage over the real sandbox, and no inbox question left over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from tests.integration.decisions.conftest import decisions_db, pull, run_at, seeded, set_settings  # noqa: F401


@pytest.fixture
def held(
    sandbox: Any,
    seeded: dict[str, Any],  # noqa: F811 - the imported fixture
    pull: Callable[..., Any],  # noqa: F811
    decisions_db: psycopg.Connection,  # noqa: F811
) -> Iterator[Callable[[int], list[str]]]:
    """Place ``n`` one-line orders of an in-stock SKU and let jet_decide_orders' cycle
    hold them (auto-acknowledge off); their ids, in the order placed (10 s apart)."""
    from jet.decisions import tasks

    decisions_db.execute("TRUNCATE jet.held_order_prompts")
    set_settings(decisions_db, auto_acknowledge=False)
    node = seeded["fulfillment_nodes"][0]
    sku = next(
        s["merchant_sku"]
        for s in seeded["skus"]
        if s["known_to_merchant"] and not s["is_archived"] and s["merchant_on_hand"] >= 20
    )

    def _held(n: int) -> list[str]:
        ids = []
        for _ in range(n):  # ten seconds apart: the first placed is the first due
            ids += sandbox.generate_orders(1, fulfillment_node=node, lines=[{"merchant_sku": sku, "quantity": 1}])
            sandbox.advance(10)
        pull()
        result = tasks.run_cycle(run_at(sandbox))
        assert result["decided"]["by_outcome"] == {"hold": n}, result
        return list(ids)

    yield _held
    set_settings(decisions_db)  # auto-acknowledge back on for the tests that follow
