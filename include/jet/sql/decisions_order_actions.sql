-- Every action of one order (operator DAGs check what was already asked of Jet).
SELECT action_id, kind, state, attempts, last_error FROM jet.actions
WHERE merchant_order_id = %(order_id)s
ORDER BY action_id;
