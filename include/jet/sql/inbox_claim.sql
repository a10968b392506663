-- Ask the held orders nobody asked yet, most urgent first, while their deadline is far
-- enough away to answer, keeping at most %(cap)s questions open in the inbox overall.
WITH still_open AS (
    SELECT count(*) AS n FROM jet.held_order_prompts
    WHERE answered_in IS NULL AND expires_at > %(now)s
),
candidates AS (
    SELECT d.merchant_order_id, o.ready_at + interval '15 minutes' AS deadline
    FROM jet.decisions d
    JOIN jet.orders o USING (merchant_order_id)
    WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status = %(vocab_order_ready)s
      AND o.ready_at + interval '15 minutes' > %(now)s + %(margin)s
      AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = d.merchant_order_id
                        AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
      AND NOT EXISTS (SELECT 1 FROM jet.held_order_prompts p WHERE p.merchant_order_id = d.merchant_order_id)
    ORDER BY o.ready_at, d.merchant_order_id
    LIMIT greatest(0, %(cap)s - (SELECT n FROM still_open))
)
INSERT INTO jet.held_order_prompts (merchant_order_id, dag_id, dag_run_id, task_id, map_index, asked_at, expires_at)
SELECT merchant_order_id, %(dag_id)s, %(dag_run_id)s, %(task_id)s,
       (row_number() OVER (ORDER BY deadline, merchant_order_id) - 1)::integer, %(asked_at)s, deadline
FROM candidates
RETURNING merchant_order_id, map_index;
