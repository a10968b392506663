-- Stock snapshot of the given SKUs at every node (jet.stock_available): on hand as
-- counted, promised (acknowledged but not shipped or cancelled, plus held reservations),
-- units shipped since the count (no longer on the shelf), and the SKU's own safety stock.
SELECT sku, fulfillment_node, on_hand, promised, safety_stock, shipped_since_count
FROM jet.stock_available
WHERE sku = ANY(%(skus)s);
