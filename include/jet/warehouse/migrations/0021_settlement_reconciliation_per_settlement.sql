-- analytics.settlement_reconciliation, computed per settlement: a query for a few
-- settlements reads only their lines.
--
-- The first version (0005) summed every line of every settlement in a CTE and joined
-- the reports to it, so asking for the week a daily jet_settlement run reconciles read
-- the whole history of lines (seconds at a year of history, and growing). The same
-- figures are now LATERAL subqueries keyed on each report, so a filter on
-- settlement_report_id drives index lookups on the lines of those reports only; over
-- every settlement the work is the same as before. Same columns, same rules.

CREATE OR REPLACE VIEW analytics.settlement_reconciliation AS
SELECT r.settlement_report_id, r.settlement_date, r.settlement_state, r.is_final, r.settlement_value,
       r.balances_ok,
       coalesce(l.csv_lines, 0) AS csv_lines,
       coalesce(f.quarantined_lines, 0) AS quarantined_lines,
       coalesce(l.csv_total, 0) AS csv_total,
       coalesce(l.unallocated_total, 0) AS unallocated_total,
       coalesce(d.categories_off, 0) AS categories_off,
       coalesce(d.abs_difference, 0) AS abs_difference,
       coalesce(l.orders, 0) AS orders,
       coalesce(l.orders_missing, 0) AS orders_missing,
       CASE
           WHEN f.settlement_report_id IS NULL OR d.checked = 0 THEN 'awaiting_details'
           WHEN NOT r.balances_ok THEN 'report_inconsistent'
           WHEN d.categories_off > 0 THEN 'unallocated'
           ELSE 'reconciled'
       END AS status
FROM jet.settlement_reports r
LEFT JOIN LATERAL (
    -- The newest detail file of the settlement is the one its lines come from.
    SELECT df.settlement_report_id, df.bad_rows AS quarantined_lines
    FROM jet.settlement_detail_files df
    WHERE df.settlement_report_id = r.settlement_report_id
    ORDER BY df.last_seen_at DESC, df.first_seen_at DESC
    LIMIT 1
) f ON true
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE sl.transaction_type <> 'unallocated') AS csv_lines,
           coalesce(sum(sl.line_total) FILTER (WHERE sl.transaction_type <> 'unallocated'), 0) AS csv_total,
           coalesce(sum(sl.line_total) FILTER (WHERE sl.transaction_type = 'unallocated'), 0) AS unallocated_total,
           count(DISTINCT sl.merchant_order_id) AS orders,
           count(DISTINCT sl.merchant_order_id) FILTER (
               WHERE sl.merchant_order_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = sl.merchant_order_id)
           ) AS orders_missing
    FROM jet.settlement_lines sl
    WHERE sl.settlement_report_id = r.settlement_report_id
) l
CROSS JOIN LATERAL (
    SELECT count(*) AS checked,
           count(*) FILTER (WHERE sr.difference <> 0) AS categories_off,
           coalesce(sum(abs(sr.difference)), 0) AS abs_difference
    FROM jet.settlement_reconciliation sr
    WHERE sr.settlement_report_id = r.settlement_report_id
) d;
COMMENT ON VIEW analytics.settlement_reconciliation IS 'Reconciliation status per settlement: reconciled (every category of every balance ties out to the cent), unallocated (a difference was booked as an unallocated line: see jet.settlement_reconciliation), report_inconsistent (Jet''s own sum rules fail), awaiting_details (CSV not landed yet, or not reconciled yet). With line counts, rows of the newest detail file that were quarantined (jet.quarantine kind settlement_line, object_id <settlement>#<row>), and orders the warehouse lacks. Key: settlement_report_id. Filtering on settlement_report_id reads only those settlements'' lines.';
