-- One action as the outbox and the operator DAGs see it: by id, by dedupe key, or by
-- (order, call, subject).
SELECT a.action_id, a.merchant_order_id, a.kind, a.call, a.subject, a.state, a.attempts, a.rate_limited,
       a.requeues, a.last_error, a.requested_by, a.triggering_user, a.dedupe_key
FROM jet.actions a
WHERE (%(action_id)s::bigint IS NULL OR a.action_id = %(action_id)s)
  AND (%(dedupe_key)s::text IS NULL OR a.dedupe_key = %(dedupe_key)s)
  AND (%(merchant_order_id)s::text IS NULL OR a.merchant_order_id = %(merchant_order_id)s)
  AND (%(call)s::text IS NULL OR a.call = %(call)s)
  AND (%(subject)s::text IS NULL OR a.subject = %(subject)s)
ORDER BY a.action_id;
