-- Ready -> acknowledged (Jet's own dates, accepted or rejected) of the orders that became
-- ready in [%(start)s, %(end)s): count, percentiles (seconds, interpolated), the slowest,
-- and how many were answered within Jet's 15 minutes.
SELECT count(*)::integer AS ready,
       count(ack_seconds)::integer AS answered,
       count(*) FILTER (WHERE within_window)::integer AS within_window,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_seconds))::numeric, 1) AS p50_seconds,
       round((percentile_cont(0.99) WITHIN GROUP (ORDER BY ack_seconds))::numeric, 1) AS p99_seconds,
       max(ack_seconds) AS max_seconds
FROM analytics.order_outcomes
WHERE ready_at >= %(start)s AND ready_at < %(end)s;
