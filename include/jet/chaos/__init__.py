"""`make chaos`: a seeded fault campaign over the whole pipeline, judged against Jet's truth.

A simulated week of business on the Jet sandbox (:mod:`jet.chaos.campaign`) runs through
ingestion, decisions, fulfilment, returns, refunds and settlements while fault classes
(:mod:`jet.chaos.faults`, :mod:`jet.chaos.breakers`) are switched on step by step; after
one clean re-run the warehouse and Jet's ledger are compared with the sandbox's ground
truth (:mod:`jet.chaos.verdict`). ``docs/chaos.md`` is the operator's page.
"""

from __future__ import annotations

from jet.chaos.campaign import CampaignOptions
from jet.chaos.report import CampaignResult, render, run_campaign
from jet.chaos.verdict import Figures

__all__ = ["CampaignOptions", "CampaignResult", "Figures", "render", "run_campaign"]
