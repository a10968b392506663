-- How the order's acknowledgement call was decided, if it was: the action, its state,
-- its reason, the run that queued it and the person behind it.
SELECT a.action_id, a.kind, a.state, a.reason, a.requested_by, a.triggering_user AS actor
FROM jet.actions a
WHERE a.merchant_order_id = %(merchant_order_id)s AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement);
