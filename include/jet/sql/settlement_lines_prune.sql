-- The newest file is the truth for its settlement: CSV rows it no longer has valid (a
-- shorter file, or a row now quarantined) leave jet.settlement_lines. Unallocated rows
-- (line_no < 0) belong to the reconciliation.
DELETE FROM jet.settlement_lines t
WHERE t.settlement_report_id = ANY(%(ids)s)
  AND t.line_no > 0
  AND NOT EXISTS (SELECT 1 FROM stage_settlement_lines s
                  WHERE s.settlement_report_id = t.settlement_report_id AND s.line_no = t.line_no);
