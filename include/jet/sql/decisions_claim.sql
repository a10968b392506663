-- Claim a chunk of actions to send: pending ones, and not_applied ones that may be sent
-- again (under the attempt limit), each at most once per drain (exclude). They are
-- committed as 'sending' BEFORE the call: a crash leaves them 'sending', which the
-- settle step treats like 'unknown' once stale. SKIP LOCKED lets two senders coexist.
UPDATE jet.actions a
   SET state = 'sending', attempts = a.attempts + 1, last_sent_at = clock_timestamp(), updated_at = clock_timestamp()
 WHERE a.action_id IN (
        SELECT action_id FROM jet.actions
         WHERE kind = ANY(%(kinds)s)
           AND (state = 'pending' OR (state = 'not_applied' AND attempts < %(max_attempts)s))
           AND NOT (action_id = ANY(%(exclude)s))
           AND (%(order_ids)s::text[] IS NULL OR merchant_order_id = ANY(%(order_ids)s))
         ORDER BY action_id
         LIMIT %(limit)s
         FOR UPDATE SKIP LOCKED)
RETURNING a.action_id, a.merchant_order_id, a.kind, a.body, a.attempts;
