-- Every write to Jet for one order, with its outcome, the person behind it (from the
-- note the outbox wrote when it was queued) and the body exactly as sent.
SELECT a.action_id, a.kind, a.state, a.attempts, a.reason, a.requested_by, a.created_at, a.last_sent_at,
       a.settled_at, a.last_error, a.body,
       (SELECT n.actor FROM jet.order_notes n
        WHERE n.merchant_order_id = a.merchant_order_id AND n.source = 'action:' || a.action_id
        ORDER BY n.note_id LIMIT 1) AS actor
FROM jet.actions a
WHERE a.merchant_order_id = %(merchant_order_id)s
ORDER BY a.action_id;
