-- What the warehouse already knows of the listed reports: their period, whether they
-- are final, and whether the detail file of their current version was landed.
SELECT r.settlement_report_id, r.period_end, r.is_final,
       EXISTS (SELECT 1 FROM jet.settlement_detail_files f
               WHERE f.settlement_report_id = r.settlement_report_id
                 AND f.last_seen_at >= r.updated_at) AS details_current
FROM jet.settlement_reports r
WHERE r.settlement_report_id = ANY(%(ids)s);
