-- A settlement from Jet's read-back; guarded, so a concurrent settle or send of the same
-- action (it moved on meanwhile) is not overwritten.
UPDATE jet.actions
   SET state = %(state)s,
       last_error = %(error)s,
       settled_at = CASE WHEN %(state)s IN ('applied', 'not_applied', 'failed') THEN clock_timestamp() END,
       settled_by = CASE WHEN %(state)s IN ('applied', 'not_applied', 'failed') THEN 'read_back' END,
       updated_at = clock_timestamp()
 WHERE action_id = %(action_id)s AND state = %(was)s AND attempts = %(attempts)s
RETURNING action_id;
