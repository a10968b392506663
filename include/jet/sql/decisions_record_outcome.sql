-- What one send (or one settlement) established. Wall-clock times: these are real events.
UPDATE jet.actions
   SET state = %(state)s,
       last_error = %(error)s,
       settled_at = CASE WHEN %(state)s IN ('applied', 'not_applied', 'failed') THEN clock_timestamp() END,
       updated_at = clock_timestamp()
 WHERE action_id = %(action_id)s;
