-- The merchant's latest real (not dry-run) decision per order.
SELECT DISTINCT ON (merchant_order_id) merchant_order_id, outcome
FROM jet.decisions
WHERE NOT dry_run
ORDER BY merchant_order_id, decision_id DESC;
