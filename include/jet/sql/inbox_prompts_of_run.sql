-- The orders a jet_held_orders run already asked (a retried claim returns the same list).
SELECT merchant_order_id FROM jet.held_order_prompts
WHERE dag_run_id = %(dag_run_id)s AND task_id = %(task_id)s
ORDER BY map_index;
