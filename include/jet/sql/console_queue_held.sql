-- Held orders waiting for an operator (auto_acknowledge off), most urgent first, with
-- their question in Airflow's inbox when it was asked.
SELECT d.merchant_order_id, o.reference_order_id, o.ready_at, o.ready_at + interval '15 minutes' AS deadline,
       d.reasons, p.dag_run_id AS inbox_run_id, p.task_id AS inbox_task_id, p.map_index AS inbox_map_index,
       p.answered_in
FROM jet.decisions d
JOIN jet.orders o USING (merchant_order_id)
LEFT JOIN jet.held_order_prompts p USING (merchant_order_id)
WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status = %(vocab_order_ready)s
  AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = d.merchant_order_id
                    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
ORDER BY o.ready_at, d.merchant_order_id
LIMIT %(limit)s;
