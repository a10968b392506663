-- "Why was this order cancelled?" (docs/statuses.md): one row per act that declined or
-- cancelled units of the order, whoever started it. The demo prints this query for
-- psql and its answer for one order of each kind of cancel.
SELECT internal_status, act, started_by, who, units, reason, rule_in
FROM jet.order_cancellations
WHERE merchant_order_id = %(order_id)s
ORDER BY at, act;
