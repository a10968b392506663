-- The order's real decision (the latest dry run when there is none) and its lines.
SELECT d.decision_id, d.decided_at, d.dry_run, d.outcome, d.reasons, d.rules_version, d.settings_version,
       d.run_key, l.order_item_id, l.merchant_sku, l.quantity, l.status AS line_status, l.reason AS line_reason,
       l.reserved, l.units_to_cancel
FROM jet.decisions d
LEFT JOIN jet.decision_lines l USING (decision_id)
WHERE d.decision_id = (SELECT decision_id FROM jet.decisions
                       WHERE merchant_order_id = %(merchant_order_id)s
                       ORDER BY dry_run, decided_at DESC, decision_id DESC LIMIT 1)
ORDER BY l.order_item_id;
