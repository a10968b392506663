-- Held orders still waiting for an operator (no acknowledgement call queued), oldest first.
SELECT d.merchant_order_id, o.ready_at, o.ready_at + interval '15 minutes' AS deadline, d.reasons
FROM jet.decisions d
JOIN jet.orders o USING (merchant_order_id)
WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status = %(vocab_order_ready)s
  AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = d.merchant_order_id
                    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
ORDER BY o.ready_at, d.merchant_order_id;
