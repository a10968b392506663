-- An operator re-queues a failed action, once: it becomes 'unknown', so the next drain
-- reads Jet back first (a write Jet applied late settles as applied and is never sent
-- again), and only then sends it, with a second allowance of attempts.
UPDATE jet.actions
   SET state = 'unknown', requeues = requeues + 1, not_before = NULL, settled_at = NULL,
       last_error = 're-queued by ' || %(who)s || ' (was failed: ' || coalesce(last_error, '-') || ')',
       updated_at = clock_timestamp()
 WHERE action_id = %(action_id)s AND state = 'failed' AND requeues = 0
RETURNING action_id;
