"""`make demo`: a trading period on the sandbox clock, and the summary that is the warehouse.

``plan`` says what the period is (days, orders per hour, how the simulated merchant
behaves); ``period`` runs it through the pipelines in a deployment's order; ``merchant``
is the simulated warehouse and operator (and the buyers who cancel through Jet);
``summary`` reads every closing figure back from the warehouse and Jet's ledger, and
says why one order of each kind of cancel was cancelled; ``airflow`` runs the daily
DAGs for real.
"""

from jet.demo.period import DailyRuns, InProcessDaily, PeriodResult, run_period
from jet.demo.plan import DEFAULT_START, PeriodPlan, plan_from_env
from jet.demo.summary import (
    WHY_KINDS,
    CancelExample,
    DemoSummary,
    WhyCancelled,
    ledger_by_kind,
    psql_text,
    settlement_days,
    summarize,
    why_cancelled,
)

__all__ = [
    "DEFAULT_START",
    "WHY_KINDS",
    "CancelExample",
    "DailyRuns",
    "DemoSummary",
    "InProcessDaily",
    "PeriodPlan",
    "PeriodResult",
    "WhyCancelled",
    "ledger_by_kind",
    "plan_from_env",
    "psql_text",
    "run_period",
    "settlement_days",
    "summarize",
    "why_cancelled",
]
