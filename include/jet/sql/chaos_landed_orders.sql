-- Every landed order with its number of lines and units (compared with Jet's).
SELECT o.merchant_order_id, count(i.order_item_id)::int, coalesce(sum(i.quantity), 0)::int
FROM jet.orders o
LEFT JOIN jet.order_items i ON i.merchant_order_id = o.merchant_order_id
GROUP BY o.merchant_order_id;
