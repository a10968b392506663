-- Book every difference between a report and its lines as an explicit unallocated line,
-- one per (settlement, balance) that does not tie out, so Σ lines = report per column.
-- The placeholders in braces are the twelve amount columns (jet.settlement.details.amount_sql).
WITH off AS (
    SELECT settlement_report_id, balance, {amounts_by_category}
    FROM jet.settlement_reconciliation
    WHERE settlement_report_id = ANY(%(ids)s)
    GROUP BY settlement_report_id, balance
    HAVING bool_or(difference <> 0)
)
INSERT INTO jet.settlement_lines AS t (
    settlement_report_id, line_no, transaction_type, balance, quantity,
    {amounts}, description, row_hash, file_hash, landed_at, run_key
)
SELECT settlement_report_id,
       CASE balance WHEN 'order' THEN -1 WHEN 'return' THEN -2 ELSE -3 END,
       'unallocated', balance, 0,
       {amounts_or_zero},
       'unallocated: the ' || balance || ' balance of the report differs from its detail lines',
       md5(concat_ws('|', {amounts})),
       NULL, %(observed_at)s, %(run_key)s
FROM off
ON CONFLICT (settlement_report_id, line_no) DO UPDATE SET
    {amounts_excluded},
    description = EXCLUDED.description,
    row_hash = EXCLUDED.row_hash,
    landed_at = EXCLUDED.landed_at,
    run_key = EXCLUDED.run_key
 WHERE t.row_hash IS DISTINCT FROM EXCLUDED.row_hash;
