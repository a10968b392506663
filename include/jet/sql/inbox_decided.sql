-- How the order's acknowledgement call was decided, if it was: the action, its state,
-- its reason, the run that queued it and the person behind it.
SELECT a.action_id, a.kind, a.state, a.reason, a.requested_by,
       (SELECT n.actor FROM jet.order_notes n
        WHERE n.merchant_order_id = a.merchant_order_id AND n.source = 'action:' || a.action_id
        ORDER BY n.note_id LIMIT 1) AS actor
FROM jet.actions a
WHERE a.merchant_order_id = %(merchant_order_id)s AND a.kind IN ('acknowledge', 'reject', 'cancel');
