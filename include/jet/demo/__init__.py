"""`make demo`: a trading period on the sandbox clock, and the summary that is the warehouse.

``plan`` says what the period is (days, orders per hour, how the simulated merchant
behaves); ``period`` runs it through the pipelines in a deployment's order; ``merchant``
is the simulated warehouse and operator; ``summary`` reads every closing figure back
from the warehouse and Jet's ledger; ``airflow`` runs the daily DAGs for real.
"""

from jet.demo.period import DailyRuns, InProcessDaily, PeriodResult, run_period
from jet.demo.plan import DEFAULT_START, PeriodPlan, plan_from_env
from jet.demo.summary import DemoSummary, ledger_by_kind, settlement_days, summarize

__all__ = [
    "DEFAULT_START",
    "DailyRuns",
    "DemoSummary",
    "InProcessDaily",
    "PeriodPlan",
    "PeriodResult",
    "ledger_by_kind",
    "plan_from_env",
    "run_period",
    "settlement_days",
    "summarize",
]
