-- Staging tables for one batch of orders: shaped like their targets, dropped at
-- commit. The loader COPYs the batch into them, then orders_merge.sql upserts.
CREATE TEMP TABLE stage_order_payloads (LIKE jet.order_payloads) ON COMMIT DROP;
CREATE TEMP TABLE stage_quarantine     (LIKE jet.quarantine) ON COMMIT DROP;
CREATE TEMP TABLE stage_customers      (LIKE jet.customers) ON COMMIT DROP;
CREATE TEMP TABLE stage_orders         (LIKE jet.orders) ON COMMIT DROP;
CREATE TEMP TABLE stage_order_items    (LIKE jet.order_items) ON COMMIT DROP;
CREATE TEMP TABLE stage_shipping_addresses (LIKE jet.shipping_addresses) ON COMMIT DROP;
CREATE TEMP TABLE stage_order_shipments (LIKE jet.order_shipments) ON COMMIT DROP;
CREATE TEMP TABLE stage_order_status_history (LIKE jet.order_status_history) ON COMMIT DROP;
CREATE TEMP TABLE stage_order_fetch_misses (LIKE jet.order_fetch_misses) ON COMMIT DROP;
