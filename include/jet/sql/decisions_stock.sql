-- Stock snapshot of the given SKUs at every node: on hand, promised (acknowledged but
-- not shipped or cancelled, plus held reservations) and the SKU's own safety stock.
SELECT i.sku, i.fulfillment_node, i.on_hand, coalesce(p.promised, 0) AS promised, i.safety_stock
FROM jet.inventory i
LEFT JOIN jet.promised_units p USING (sku, fulfillment_node)
WHERE i.sku = ANY(%(skus)s);
