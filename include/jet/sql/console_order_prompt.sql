-- The order's question in Airflow's inbox (Required Actions), if it was asked.
SELECT dag_id, dag_run_id, task_id, map_index, asked_at, expires_at, answer, reason, answered_by, answered_in,
       answered_at, outcome
FROM jet.held_order_prompts
WHERE merchant_order_id = %(merchant_order_id)s;
