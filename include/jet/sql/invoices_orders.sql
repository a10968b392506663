-- Orders to invoice: the ids given, or those placed within [placed_from, placed_to).
SELECT merchant_order_id FROM jet.orders
WHERE (%(ids)s::text[] IS NOT NULL AND merchant_order_id = ANY(%(ids)s))
   OR (%(ids)s::text[] IS NULL AND order_placed_at >= %(placed_from)s AND order_placed_at < %(placed_to)s)
ORDER BY order_placed_at, merchant_order_id;
