-- Claim a chunk of fulfilment actions (kinds ship:<id>, complete_return:<id>, refund:<id>)
-- to send: the same rules as decisions_claim.sql, with the kind matched by its family
-- (the part before ':'). Committed as 'sending' BEFORE the call.
UPDATE jet.actions a
   SET state = 'sending', attempts = a.attempts + 1, last_sent_at = clock_timestamp(), updated_at = clock_timestamp()
 WHERE a.action_id IN (
        SELECT action_id FROM jet.actions
         WHERE split_part(kind, ':', 1) = ANY(%(families)s) AND kind LIKE '%%:%%'
           AND (state = 'pending' OR (state = 'not_applied' AND attempts < %(max_attempts)s))
           AND NOT (action_id = ANY(%(exclude)s))
           AND (%(order_ids)s::text[] IS NULL OR merchant_order_id = ANY(%(order_ids)s))
         ORDER BY action_id
         LIMIT %(limit)s
         FOR UPDATE SKIP LOCKED)
RETURNING a.action_id, a.merchant_order_id, a.kind, a.body, a.attempts;
