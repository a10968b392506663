-- Acknowledgement latency of the orders placed on days first..last that became ready:
-- how many were answered (accepted or rejected) in each minute after ready, then after
-- Jet's 15-minute window, then never.
WITH orders AS (
    SELECT ack_seconds FROM analytics.order_outcomes
    WHERE placed_on BETWEEN %(first)s AND %(last)s AND ready_at IS NOT NULL
),
buckets AS (
    SELECT m AS ordinal, format('%%s–%%s min', m, m + 1) AS label, m * 60 AS low, (m + 1) * 60 AS high
    FROM generate_series(0, 14) m
    UNION ALL SELECT 15, 'over 15 min (missed)', 900, NULL
    UNION ALL SELECT 16, 'not acknowledged', NULL, NULL
)
SELECT b.ordinal, b.label, b.ordinal >= 15 AS missed,
       count(o.*) AS orders
FROM buckets b
LEFT JOIN orders o
       ON (b.ordinal = 16 AND o.ack_seconds IS NULL)
       OR (o.ack_seconds >= b.low AND (b.high IS NULL OR o.ack_seconds < b.high))
GROUP BY b.ordinal, b.label
ORDER BY b.ordinal;
