-- Give back actions that were claimed ('sending') but never sent: nothing reached Jet.
UPDATE jet.actions
   SET state = CASE WHEN attempts = 1 THEN 'pending' ELSE 'not_applied' END,
       attempts = attempts - 1, updated_at = clock_timestamp()
 WHERE action_id = ANY(%(action_ids)s) AND state = 'sending';
