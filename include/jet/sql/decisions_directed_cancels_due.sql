-- Orders with units Jet asked to cancel that we have not answered yet, and that can be
-- answered now: acknowledged at Jet, or our acknowledgement applied (the shipped call
-- is refused before acknowledgement). Per SKU: units to cancel, capped at the open units.
WITH candidates AS (
    SELECT o.merchant_order_id
    FROM jet.orders o
    WHERE o.jet_request_directed_cancel
      AND o.status <> %(vocab_order_complete)s
      AND (o.status = ANY(%(vocab_open_order_statuses)s)
           OR EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = o.merchant_order_id
                        AND a.call = %(accepted)s AND a.state = 'applied'))
      AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = o.merchant_order_id
                        AND a.call = ANY(%(answers)s))
),
requested AS (
    SELECT i.merchant_order_id, i.merchant_sku, sum(i.quantity) AS ordered, sum(i.cancel_requested_qty) AS requested
    FROM candidates c JOIN jet.order_items i USING (merchant_order_id)
    GROUP BY 1, 2
),
done AS (
    SELECT s.merchant_order_id, s.merchant_sku, sum(s.shipped_qty) AS shipped, sum(s.cancelled_qty) AS cancelled
    FROM candidates c JOIN jet.order_shipments s USING (merchant_order_id)
    GROUP BY 1, 2
)
SELECT r.merchant_order_id, r.merchant_sku,
       least(r.requested - coalesce(d.cancelled, 0),
             r.ordered - coalesce(d.shipped, 0) - coalesce(d.cancelled, 0)) AS cancel_qty
FROM requested r
LEFT JOIN done d USING (merchant_order_id, merchant_sku)
WHERE r.requested > 0
ORDER BY r.merchant_order_id, r.merchant_sku;
