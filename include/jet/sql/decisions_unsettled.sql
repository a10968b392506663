-- Actions whose outcome is unknown: 'unknown', or 'sending' for longer than a send can
-- take (the sender died between commit and answer).
SELECT action_id, merchant_order_id, kind, body, attempts
FROM jet.actions
WHERE kind = ANY(%(kinds)s)
  AND (state = 'unknown'
       OR (state = 'sending' AND last_sent_at < clock_timestamp() - make_interval(secs => %(stale_seconds)s)))
  AND (%(order_ids)s::text[] IS NULL OR merchant_order_id = ANY(%(order_ids)s))
ORDER BY action_id
FOR UPDATE SKIP LOCKED;
