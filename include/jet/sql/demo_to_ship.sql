-- The simulated warehouse's pick list: orders Jet shows acknowledged or in progress,
-- acknowledged at or before %(before)s (the warehouse's handling time), with units
-- still open once every shipment request already recorded is counted, and how many
-- requests they have (a second request ships the rest of a partial shipment).
WITH requested AS (
    SELECT r.merchant_order_id, count(DISTINCT r.shipment_request_id) AS requests,
           max(r.requested_at) AS last_requested_at
    FROM jet.shipment_requests r
    GROUP BY r.merchant_order_id
)
SELECT o.merchant_order_id, coalesce(q.requests, 0) AS requests, q.last_requested_at
FROM jet.orders o
LEFT JOIN requested q USING (merchant_order_id)
WHERE o.status = ANY(%(vocab_open_order_statuses)s)
  AND o.acknowledged_at <= %(before)s
  AND (q.last_requested_at IS NULL OR q.last_requested_at <= %(before)s)
ORDER BY o.acknowledged_at, o.merchant_order_id;
