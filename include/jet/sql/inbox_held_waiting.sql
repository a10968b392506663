-- Held orders not asked in the inbox (the cap was reached, or too close to the deadline).
SELECT count(*)::integer
FROM jet.decisions d
JOIN jet.orders o USING (merchant_order_id)
WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status = %(vocab_order_ready)s
  AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = d.merchant_order_id
                    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
  AND NOT EXISTS (SELECT 1 FROM jet.held_order_prompts p WHERE p.merchant_order_id = d.merchant_order_id);
