-- One write to Jet, and the order it belongs to.
SELECT action_id, merchant_order_id, kind, state, attempts, last_error
FROM jet.actions
WHERE action_id = %(action_id)s;
