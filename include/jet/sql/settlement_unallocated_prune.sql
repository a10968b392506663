-- An unallocated line whose balance now ties out (e.g. a corrected file arrived) goes.
DELETE FROM jet.settlement_lines l
WHERE l.settlement_report_id = ANY(%(ids)s)
  AND l.transaction_type = 'unallocated'
  AND NOT EXISTS (SELECT 1 FROM jet.settlement_reconciliation r
                  WHERE r.settlement_report_id = l.settlement_report_id
                    AND r.balance = l.balance AND r.difference <> 0);
