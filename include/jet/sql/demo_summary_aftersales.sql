-- Returns and merchant refunds of the period's orders, by Jet's status as last read.
SELECT 'return' AS what, r.return_status AS status, count(*)::integer
FROM jet.returns r JOIN jet.orders o USING (merchant_order_id)
WHERE o.order_placed_at >= %(start)s AND o.order_placed_at < %(end)s
GROUP BY 1, 2
UNION ALL
SELECT 'refund', coalesce(f.refund_status, 'not posted'), count(*)::integer
FROM jet.refunds f JOIN jet.orders o USING (merchant_order_id)
WHERE o.order_placed_at >= %(start)s AND o.order_placed_at < %(end)s
GROUP BY 1, 2
ORDER BY 1, 2;
