-- What the requests of one wave established, recorded as they return (one statement and
-- one commit for the requests that returned together; each row is one request). A 429
-- puts the action back to pending until its Retry-After and counts in rate_limited, not
-- as an attempt. Wall-clock times: these are real events.
WITH o AS (
    SELECT *
    FROM unnest(%(action_ids)s::bigint[], %(outcomes)s::text[], %(states)s::text[], %(errors)s::text[],
                %(retry_after)s::float8[], %(http_status)s::integer[])
         AS o(action_id, outcome, state, error, retry_after, http_status)
), logged AS (
    INSERT INTO jet.action_attempts (action_id, attempt, sent_at, outcome, error)
    SELECT a.action_id, a.attempts, coalesce(a.last_sent_at, clock_timestamp()), o.outcome, o.error
    FROM jet.actions a JOIN o USING (action_id)
    ON CONFLICT (action_id, attempt) DO NOTHING
)
UPDATE jet.actions a
   SET state = o.state,
       last_error = o.error,
       http_status = o.http_status,
       settled_at = CASE WHEN o.state IN ('applied', 'not_applied', 'failed') THEN clock_timestamp() END,
       settled_by = CASE WHEN o.state IN ('applied', 'not_applied', 'failed') THEN 'answer' END,
       last_answer_at = clock_timestamp(),
       rate_limited = a.rate_limited + CASE WHEN o.outcome = 'rate_limited' THEN 1 ELSE 0 END,
       not_before = CASE WHEN o.outcome = 'rate_limited'
                         THEN clock_timestamp() + make_interval(secs => o.retry_after) END,
       updated_at = clock_timestamp()
  FROM o
 WHERE a.action_id = o.action_id AND a.state = 'sending'
RETURNING a.action_id;
