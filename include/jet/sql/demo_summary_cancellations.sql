-- The demo's summary: orders placed in [%(start)s, %(end)s) that Jet made ready, cancelled
-- and rejected by the one definition of each (jet.internal_status, docs/statuses.md) that
-- analytics.cancellation_rate reads too: a rejection (declined for short stock) is not a
-- cancellation.
SELECT count(*) FILTER (WHERE o.internal_status = %(cancelled)s)::integer AS orders_cancelled,
       count(*) FILTER (WHERE o.internal_status = %(rejected)s)::integer AS orders_rejected
FROM analytics.order_outcomes o
WHERE o.order_placed_at >= %(start)s AND o.order_placed_at < %(end)s AND o.ready_at IS NOT NULL;
