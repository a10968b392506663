-- Staging tables for one batch of settlement detail files, dropped at commit.
CREATE TEMP TABLE stage_settlement_lines (LIKE jet.settlement_lines) ON COMMIT DROP;
CREATE TEMP TABLE stage_settlement_quarantine (LIKE jet.quarantine) ON COMMIT DROP;
