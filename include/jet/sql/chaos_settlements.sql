-- Every landed settlement with its reconciliation status and value.
SELECT settlement_report_id, status, settlement_value FROM analytics.settlement_reconciliation;
