-- Empty the staging tables between the files (or trial rows) of one landing: they are
-- dropped only at commit, and the files share one transaction.
TRUNCATE stage_settlement_lines, stage_settlement_quarantine
