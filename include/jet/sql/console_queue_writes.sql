-- Writes to Jet whose outcome is unknown (to be settled by re-reading Jet) or that
-- failed (gave up after the attempt limit), oldest first.
SELECT a.action_id, a.merchant_order_id, o.reference_order_id, a.kind, a.state, a.attempts, a.last_error,
       a.created_at, a.last_sent_at
FROM jet.actions a
JOIN jet.orders o USING (merchant_order_id)
WHERE a.state IN ('unknown', 'failed')
ORDER BY a.created_at, a.action_id
LIMIT %(limit)s;
