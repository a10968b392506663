-- Seconds until an open action in scope can move on (negative: now), NULL when none is
-- open: a Retry-After ending, a quiet period ending, a stale sender's limit.
SELECT extract(epoch FROM min(due) - clock_timestamp())::float8
FROM (
    SELECT CASE a.state
               WHEN 'unknown' THEN coalesce(a.last_answer_at, a.last_sent_at + make_interval(secs => %(stale_seconds)s),
                                            clock_timestamp()) + make_interval(secs => %(late_apply_seconds)s)
               WHEN 'sending' THEN a.last_sent_at + make_interval(secs => %(stale_seconds)s)
               ELSE coalesce(a.not_before, clock_timestamp())
           END AS due
    FROM jet.actions a
    WHERE (a.state IN ('pending', 'sending', 'unknown')
           OR (a.state = 'not_applied' AND a.attempts - a.rate_limited < %(max_attempts)s * (1 + a.requeues)))
      AND (%(calls)s::text[] IS NULL OR a.call = ANY(%(calls)s))
      AND (%(order_ids)s::text[] IS NULL OR a.merchant_order_id = ANY(%(order_ids)s))
      AND (%(action_ids)s::bigint[] IS NULL OR a.action_id = ANY(%(action_ids)s))
      AND NOT (a.state IN ('pending', 'not_applied')
               AND jet.action_waits_its_turn(a.action_id, a.merchant_order_id, a.call))
) d;
