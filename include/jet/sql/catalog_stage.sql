-- Staging tables for one catalog file, dropped at commit. The file has one archived
-- column; the merge turns it into archived_in_file.
CREATE TEMP TABLE stage_products (LIKE jet.products INCLUDING DEFAULTS) ON COMMIT DROP;
ALTER TABLE stage_products ALTER COLUMN archived_in_file DROP NOT NULL;
CREATE TEMP TABLE stage_inventory (LIKE jet.inventory) ON COMMIT DROP;
