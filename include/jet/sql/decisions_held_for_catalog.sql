-- Ready orders left undecided because the catalog is empty: how many, and the earliest
-- acknowledgement deadline among them. No rows while the catalog holds a product.
SELECT count(*), min(o.ready_at) + interval '15 minutes'
FROM jet.orders o
WHERE o.status = %(vocab_order_ready)s AND o.ready_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM jet.products)
  AND NOT EXISTS (SELECT 1 FROM jet.decisions d WHERE d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run)
  AND NOT EXISTS (SELECT 1 FROM jet.actions a
                  WHERE a.merchant_order_id = o.merchant_order_id AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
HAVING count(*) > 0;
