-- Claim what is about to be sent (at most two per sender thread: the one in flight and the next): pending actions
-- and not_applied ones under the attempt limit (429s are not attempts; a re-queue grants
-- a second allowance), past their Retry-After, each at most once per send (not sent since
-- the send began: round_started, the database's clock), an ordered kind only when its
-- turn came. Committed as 'sending' BEFORE the call; SKIP
-- LOCKED lets two senders coexist.
UPDATE jet.actions a
   SET state = 'sending', attempts = a.attempts + 1, not_before = NULL, last_answer_at = NULL,
       last_sent_at = clock_timestamp(), updated_at = clock_timestamp()
 WHERE a.action_id IN (
        SELECT x.action_id FROM jet.actions x
         WHERE (x.state = 'pending'
                OR (x.state = 'not_applied' AND x.attempts - x.rate_limited < %(max_attempts)s * (1 + x.requeues)))
           AND (x.not_before IS NULL OR x.not_before <= clock_timestamp())
           AND (x.last_sent_at IS NULL OR x.last_sent_at < %(round_started)s)
           AND (%(calls)s::text[] IS NULL OR x.call = ANY(%(calls)s))
           AND (%(order_ids)s::text[] IS NULL OR x.merchant_order_id = ANY(%(order_ids)s))
           AND (%(action_ids)s::bigint[] IS NULL OR x.action_id = ANY(%(action_ids)s))
           AND NOT jet.action_waits_its_turn(x.action_id, x.merchant_order_id, x.call)
         ORDER BY x.action_id
         LIMIT %(limit)s
         FOR UPDATE SKIP LOCKED)
RETURNING a.action_id, a.merchant_order_id, a.call, a.subject, a.body, a.attempts;
