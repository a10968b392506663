-- Reconciliation status of the given settlements (for the run's receipt).
SELECT status, count(*) AS settlements, coalesce(sum(unallocated_total), 0) AS unallocated_total,
       coalesce(sum(settlement_value), 0) AS settlement_value, coalesce(sum(orders_missing), 0) AS orders_missing
FROM analytics.settlement_reconciliation
WHERE settlement_report_id = ANY(%(ids)s)
GROUP BY status
ORDER BY status;
