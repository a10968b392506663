-- Orders the chaos campaign's warehouse can ship: acknowledged (nothing shipped yet) or
-- partially shipped, with their first line's SKU and the order's unit count. Our internal
-- status acknowledged is bound from jet.outbox.kinds (the answer of the acknowledge call).
SELECT m.merchant_order_id,
       m.internal_status,
       (SELECT i.merchant_sku FROM jet.order_items i
         WHERE i.merchant_order_id = m.merchant_order_id ORDER BY i.line_number LIMIT 1) AS first_sku,
       (SELECT coalesce(sum(i.quantity), 0)::int FROM jet.order_items i
         WHERE i.merchant_order_id = m.merchant_order_id) AS units
FROM jet.order_status_map m
WHERE m.internal_status IN (%(acknowledged)s, 'partially shipped')
ORDER BY m.merchant_order_id;
