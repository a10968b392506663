"""Settlement reports, their per-order detail, reconciliation and per-order P&L.

Plain functions, testable without Airflow, one module per step (import them by name;
this package re-exports nothing, so importing it costs nothing):

* ``details``: parse and validate the SettlementDetails CSV (pure), and the one list of
  its twelve amount columns that the SQL is composed from (``amount_sql``);
* ``window``: which reports a run covers (pure);
* ``land``: reports and detail lines into the warehouse (raw + typed + quarantine);
* ``reconcile``: tie the lines to the reports, book differences as ``unallocated`` lines;
* ``pnl``: refresh ``jet.order_pnl`` (the orders whose inputs changed, or all of them);
* ``tasks``: the bodies of the ``jet_settlement`` DAG's tasks.

Reconciliation and P&L are set-based SQL (``include/jet/sql/settlement_*.sql``, ``pnl_*.sql``).
"""
