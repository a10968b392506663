-- Every write to Jet for one order, with its outcome, the person who queued it
-- (jet.actions.triggering_user) and the body exactly as sent.
SELECT a.action_id, a.kind, a.state, a.attempts, a.reason, a.requested_by, a.created_at, a.last_sent_at,
       a.settled_at, a.last_error, a.body, a.triggering_user AS actor
FROM jet.actions a
WHERE a.merchant_order_id = %(merchant_order_id)s
ORDER BY a.action_id;
