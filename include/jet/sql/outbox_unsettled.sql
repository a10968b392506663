-- Writes whose outcome is unknown: 'unknown', or 'sending' for longer than a send can take
-- (the sender died). quiet: the late-apply allowance has passed since the client stopped
-- waiting (its answer, its timeout, or for a dead sender the stale limit), so a read-back
-- that does not show the write may judge it not applied (Jet applies late).
SELECT a.action_id, a.merchant_order_id, a.call, a.subject, a.body, a.attempts, a.rate_limited, a.requeues,
       a.state,
       coalesce(coalesce(a.last_answer_at, a.last_sent_at + make_interval(secs => %(stale_seconds)s))
                + make_interval(secs => %(late_apply_seconds)s) < clock_timestamp(), true) AS quiet
FROM jet.actions a
WHERE (a.state = 'unknown'
       OR (a.state = 'sending' AND a.last_sent_at < clock_timestamp() - make_interval(secs => %(stale_seconds)s)))
  AND (%(calls)s::text[] IS NULL OR a.call = ANY(%(calls)s))
  AND (%(order_ids)s::text[] IS NULL OR a.merchant_order_id = ANY(%(order_ids)s))
  AND (%(action_ids)s::bigint[] IS NULL OR a.action_id = ANY(%(action_ids)s))
ORDER BY a.action_id;
