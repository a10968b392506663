SELECT action_id, state, attempts, last_error, requested_by FROM jet.actions
WHERE merchant_order_id = %(merchant_order_id)s AND kind = %(kind)s;
