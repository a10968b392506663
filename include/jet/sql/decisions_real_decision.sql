-- The order's real (non dry-run) decision and its lines, if it was decided.
SELECT d.decision_id, d.outcome, l.order_item_id, l.merchant_sku, l.status, l.reason
FROM jet.decisions d
JOIN jet.decision_lines l USING (decision_id)
WHERE d.merchant_order_id = %(order_id)s AND NOT d.dry_run
ORDER BY l.order_item_id;
