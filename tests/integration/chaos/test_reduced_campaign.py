"""The reduced chaos campaign: 1,000 orders over six hours of sandbox time (one
midnight, so one settlement), every fault class injected at least three times, judged
against the sandbox's ground truth and ledger (``make chaos`` runs the full week).

One campaign per module; the tests read its result, and every figure must be 0.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from jet.chaos import CampaignOptions, CampaignResult, render, run_campaign

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TARGET = 3


@pytest.fixture(scope="module")
def campaign(warehouse_url: str) -> CampaignResult:
    parts = urlsplit(warehouse_url)
    scratch = urlunsplit((parts.scheme, parts.netloc, parts.path + "_chaos", "", ""))
    options = CampaignOptions(
        seed=5,
        orders=1000,
        days=0.25,
        target=TARGET,
        warehouse_url=scratch,
        start="2026-03-02T21:00:00Z",
        read_timeout=1.0,  # every fault class at half the full campaign's timings
    )
    before = os.environ.get("AIRFLOW_CONN_JET_API")
    result = run_campaign(options)
    print(render(result))  # shown with -rA or on failure: the table says what went wrong
    assert os.environ.get("AIRFLOW_CONN_JET_API") == before, "the campaign restores the environment"
    return result


def test_every_fault_class_was_injected_at_least_three_times(campaign: CampaignResult) -> None:
    active = [c.name for c in campaign.classes if c.pending is None]
    assert len(active) == 15
    short = {name: campaign.fired.get(name, 0) for name in active if campaign.fired.get(name, 0) < TARGET}
    assert short == {}, render(campaign)


def test_the_whole_pipeline_ran_on_a_thousand_orders(campaign: CampaignResult) -> None:
    assert campaign.orders_at_jet >= 1000
    writes = campaign.ledger_writes
    assert writes.get("acknowledge", 0) >= 900, writes
    assert writes.get("shipped", 0) >= 700, writes
    assert writes.get("refund", 0) >= 5, writes
    shipments = campaign.log.shipments
    for kind in ("full", "partial", "rest shipped", "cancelled"):
        assert shipments[kind] > 0, shipments
    assert campaign.figures.settlements_not_reconciled == 0


@pytest.mark.parametrize(
    "figure",
    [
        "orders_lost",
        "orders_duplicated",
        "acknowledged_and_cancelled",
        "shipped_before_acknowledged",
        "settlements_not_reconciled",
    ],
)
def test_nothing_lost_duplicated_or_out_of_order(campaign: CampaignResult, figure: str) -> None:
    assert getattr(campaign.figures, figure) == 0, render(campaign)


def test_no_write_was_applied_twice(campaign: CampaignResult) -> None:
    twice = {kind: n for kind, n in campaign.figures.applied_more_than_once.items() if n}
    assert twice == {}, render(campaign)


def test_no_acknowledgement_was_lost(campaign: CampaignResult) -> None:
    assert campaign.figures.acknowledgements_lost == 0, render(campaign)
