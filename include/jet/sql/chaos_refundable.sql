-- Shipped orders the chaos campaign's merchant may refund one unit of: the first line
-- that shipped at least one unit, oldest orders first.
SELECT m.merchant_order_id, i.order_item_id
FROM jet.order_status_map m
JOIN LATERAL (
    SELECT order_item_id FROM jet.order_items i
    WHERE i.merchant_order_id = m.merchant_order_id
    ORDER BY i.line_number LIMIT 1
) i ON true
WHERE m.internal_status = 'shipped'
ORDER BY m.merchant_order_id;
