-- Cancellations and rejections per day of placement (first..last) and reason: orders of
-- each (day, cancellation, reason), out of the day's orders. Days without any keep a row
-- with cancellation NULL, so every day is present.
WITH calendar AS (
    SELECT g::date AS day FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') g
),
orders AS (
    SELECT placed_on, cancellation, cancellation_reason FROM analytics.order_outcomes
    WHERE placed_on BETWEEN %(first)s AND %(last)s
),
per_day AS (
    SELECT c.day, count(o.placed_on) AS orders FROM calendar c LEFT JOIN orders o ON o.placed_on = c.day GROUP BY c.day
),
cancelled AS (
    SELECT placed_on AS day, cancellation, cancellation_reason AS reason, count(*) AS cancelled
    FROM orders WHERE cancellation IS NOT NULL GROUP BY 1, 2, 3
)
SELECT d.day, d.orders, x.cancellation, x.reason, coalesce(x.cancelled, 0) AS cancelled,
       round(coalesce(x.cancelled, 0)::numeric / nullif(d.orders, 0), 4) AS rate
FROM per_day d
LEFT JOIN cancelled x USING (day)
ORDER BY d.day, x.cancellation, x.reason;
