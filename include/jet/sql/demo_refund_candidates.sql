-- Orders Jet shows complete with shipped units, no return and no merchant refund yet,
-- each with the first line whose SKU shipped: what the simulated merchant may refund.
SELECT o.merchant_order_id,
       (SELECT i.order_item_id
        FROM jet.order_items i
        WHERE i.merchant_order_id = o.merchant_order_id
          AND i.merchant_sku IN (SELECT s.merchant_sku FROM jet.order_shipments s
                                 WHERE s.merchant_order_id = o.merchant_order_id AND s.shipped_qty > 0)
        ORDER BY i.line_number LIMIT 1) AS order_item_id
FROM jet.orders o
WHERE o.status = %(vocab_order_complete)s
  AND o.order_placed_at >= %(since)s
  AND EXISTS (SELECT 1 FROM jet.order_shipments s WHERE s.merchant_order_id = o.merchant_order_id AND s.shipped_qty > 0)
  AND NOT EXISTS (SELECT 1 FROM jet.refunds r WHERE r.merchant_order_id = o.merchant_order_id)
  AND NOT EXISTS (SELECT 1 FROM jet.returns r WHERE r.merchant_order_id = o.merchant_order_id)
ORDER BY o.merchant_order_id;
