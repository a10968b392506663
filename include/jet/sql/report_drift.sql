-- Estimated vs actual contribution margin of the orders first settled on days first..last:
-- how many orders fall in each drift bucket (actual - estimate, USD), by the cause the
-- figures may differ for; every (cause, bucket) is present, and one total row per cause
-- (ordinal NULL).
WITH orders AS (
    SELECT p.est_contribution_margin AS estimated, p.act_contribution_margin AS actual, p.margin_drift AS drift,
           CASE
               WHEN NOT p.in_warehouse THEN 'no estimate (order not in the warehouse)'
               WHEN p.units_refunded > 0 THEN 'refunded'
               WHEN p.units_shipped < p.units_ordered THEN 'units cancelled'
               ELSE 'as ordered'
           END AS cause,
           CASE
               WHEN p.margin_drift = 0 THEN 7
               WHEN p.margin_drift <= -50 THEN 1
               WHEN p.margin_drift <= -20 THEN 2
               WHEN p.margin_drift <= -10 THEN 3
               WHEN p.margin_drift <= -5 THEN 4
               WHEN p.margin_drift <= -1 THEN 5
               WHEN p.margin_drift < 0 THEN 6
               WHEN p.margin_drift < 1 THEN 8
               WHEN p.margin_drift < 5 THEN 9
               WHEN p.margin_drift < 10 THEN 10
               WHEN p.margin_drift < 20 THEN 11
               WHEN p.margin_drift < 50 THEN 12
               ELSE 13
           END AS ordinal
    FROM analytics.order_pnl p
    WHERE p.first_settled_on BETWEEN %(first)s AND %(last)s
),
buckets (ordinal, label) AS (
    VALUES (1, '≤ −50'), (2, '−50 to −20'), (3, '−20 to −10'), (4, '−10 to −5'), (5, '−5 to −1'), (6, '−1 to 0'),
           (7, '0 (exact)'), (8, '0 to 1'), (9, '1 to 5'), (10, '5 to 10'), (11, '10 to 20'), (12, '20 to 50'),
           (13, '≥ 50')
),
grid AS (
    SELECT c.cause, b.ordinal, b.label FROM (SELECT DISTINCT cause FROM orders) c CROSS JOIN buckets b
)
SELECT g.cause, g.ordinal, g.label, count(o.cause) AS orders,
       coalesce(sum(o.estimated), 0) AS estimated, coalesce(sum(o.actual), 0) AS actual,
       coalesce(sum(o.drift), 0) AS drift
FROM grid g
LEFT JOIN orders o ON o.cause = g.cause AND o.ordinal = g.ordinal
GROUP BY g.cause, g.ordinal, g.label
UNION ALL
SELECT cause, NULL, 'all', count(*), sum(estimated), sum(actual), sum(drift)
FROM orders GROUP BY cause
ORDER BY 1, 2 NULLS LAST;
