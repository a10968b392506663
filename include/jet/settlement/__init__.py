"""Settlement reports, their per-order detail, reconciliation and per-order P&L.

Plain functions, testable without Airflow: ``details`` parses and validates the
SettlementDetails CSV (pure), ``window`` derives which reports a run covers (pure),
``land`` writes reports and lines to the warehouse, ``reconcile`` ties the lines to the
reports and ``pnl`` refreshes ``jet.order_pnl`` (only the orders whose inputs changed, or
all of them on request), both in set-based SQL; ``tasks`` holds the bodies of the
``jet_settlement`` DAG's tasks.
"""
