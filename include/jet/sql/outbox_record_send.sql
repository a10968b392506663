-- What one request established, recorded as it returns (one statement, one commit per
-- request). A 429 puts the action back to pending until its Retry-After and counts in
-- rate_limited, not as an attempt. Wall-clock times: these are real events.
WITH logged AS (
    INSERT INTO jet.action_attempts (action_id, attempt, sent_at, outcome, error)
    SELECT action_id, attempts, coalesce(last_sent_at, clock_timestamp()), %(outcome)s, %(error)s
    FROM jet.actions WHERE action_id = %(action_id)s
    ON CONFLICT (action_id, attempt) DO NOTHING
)
UPDATE jet.actions
   SET state = %(state)s,
       last_error = %(error)s,
       settled_at = CASE WHEN %(state)s IN ('applied', 'not_applied', 'failed') THEN clock_timestamp() END,
       last_answer_at = clock_timestamp(),
       rate_limited = rate_limited + CASE WHEN %(outcome)s = 'rate_limited' THEN 1 ELSE 0 END,
       not_before = CASE WHEN %(outcome)s = 'rate_limited'
                         THEN clock_timestamp() + make_interval(secs => %(retry_after)s) END,
       updated_at = clock_timestamp()
 WHERE action_id = %(action_id)s AND state = 'sending'
RETURNING action_id;
