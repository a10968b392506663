-- Reconciliation of each settlement of the days first..last: its value, what its detail
-- lines add up to, what was booked as unallocated, and its status.
SELECT settlement_report_id, settlement_date, settlement_state, status, settlement_value, csv_total,
       unallocated_total, csv_lines, quarantined_lines, categories_off, orders, orders_missing
FROM analytics.settlement_reconciliation
WHERE settlement_date BETWEEN %(first)s AND %(last)s
ORDER BY settlement_date, settlement_report_id;
