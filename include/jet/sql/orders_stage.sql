-- Staging tables for batches of orders: shaped like their targets, created once per
-- session and emptied at every commit. The loader COPYs a batch into them, then
-- orders_merge.sql upserts, in one transaction.
CREATE TEMP TABLE IF NOT EXISTS stage_quarantine (LIKE jet.quarantine) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_customers (LIKE jet.customers) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_orders (LIKE jet.orders) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_order_items (LIKE jet.order_items) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_shipping_addresses (LIKE jet.shipping_addresses) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_order_shipments (LIKE jet.order_shipments) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_order_status_history (LIKE jet.order_status_history) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_order_fetch_misses (LIKE jet.order_fetch_misses) ON COMMIT DELETE ROWS;
-- Orders this batch inserted or changed (filled by the orders upsert's RETURNING).
CREATE TEMP TABLE IF NOT EXISTS stage_changed_orders (merchant_order_id text PRIMARY KEY) ON COMMIT DELETE ROWS;
