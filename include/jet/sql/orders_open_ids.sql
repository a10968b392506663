-- Orders to re-read from Jet: not complete in the warehouse, and not answered 404
-- by Jet since the version we hold was landed.
SELECT o.merchant_order_id
FROM jet.orders o
LEFT JOIN jet.order_fetch_misses m USING (merchant_order_id)
WHERE o.status <> %(vocab_order_complete)s
  AND (m.merchant_order_id IS NULL OR m.last_missing_at < o.updated_at)
ORDER BY o.merchant_order_id
