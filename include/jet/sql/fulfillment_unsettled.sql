-- Fulfilment actions whose outcome is unknown ('unknown', or 'sending' for longer than a
-- send can take), locked while they are settled.
SELECT action_id, merchant_order_id, kind, body, attempts
FROM jet.actions
WHERE split_part(kind, ':', 1) = ANY(%(families)s) AND kind LIKE '%%:%%'
  AND (state = 'unknown'
       OR (state = 'sending' AND last_sent_at < clock_timestamp() - make_interval(secs => %(stale_seconds)s)))
  AND (%(order_ids)s::text[] IS NULL OR merchant_order_id = ANY(%(order_ids)s))
ORDER BY action_id
FOR UPDATE SKIP LOCKED;
