-- Acknowledgement latency percentiles (seconds) of the orders placed on days first..last.
SELECT count(*) AS orders,
       count(ack_seconds) AS acknowledged,
       count(*) FILTER (WHERE within_window) AS within_window,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_seconds))::numeric, 1) AS p50_seconds,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY ack_seconds))::numeric, 1) AS p95_seconds,
       round((percentile_cont(0.99) WITHIN GROUP (ORDER BY ack_seconds))::numeric, 1) AS p99_seconds,
       max(ack_seconds) AS max_seconds
FROM analytics.order_outcomes
WHERE placed_on BETWEEN %(first)s AND %(last)s AND ready_at IS NOT NULL;
