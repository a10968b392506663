-- The cancels of the orders placed in [%(start)s, %(end)s), by act and who started it
-- (jet.order_cancellations): how many orders had one, and one order to show for it.
-- The order shown is one that act alone declined or cancelled, wholly if any (internal
-- status cancelled or rejected), the earliest; the order id breaks ties.
WITH acts AS (
    SELECT c.merchant_order_id, c.act, c.started_by, c.at, c.internal_status,
           count(*) OVER (PARTITION BY c.merchant_order_id) AS acts_on_order
    FROM jet.order_cancellations c
    JOIN jet.orders o USING (merchant_order_id)
    WHERE o.order_placed_at >= %(start)s AND o.order_placed_at < %(end)s
)
SELECT act, started_by,
       count(DISTINCT merchant_order_id)::integer AS orders,
       (array_agg(merchant_order_id
                  ORDER BY acts_on_order = 1 DESC, internal_status IN (%(cancelled)s, %(rejected)s) DESC,
                           at, merchant_order_id))[1] AS example
FROM acts
GROUP BY act, started_by
ORDER BY orders DESC, act, started_by;
