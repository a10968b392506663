-- Empty the staging tables between the orders of a batch landed order by order (they are
-- emptied only at commit, and the orders share one transaction).
TRUNCATE stage_quarantine, stage_customers, stage_orders, stage_order_items, stage_shipping_addresses,
         stage_order_shipments, stage_order_status_history, stage_order_fetch_misses, stage_changed_orders
