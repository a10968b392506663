-- Staging tables for one catalog file, dropped at commit.
CREATE TEMP TABLE stage_products (LIKE jet.products) ON COMMIT DROP;
CREATE TEMP TABLE stage_inventory (LIKE jet.inventory) ON COMMIT DROP;
