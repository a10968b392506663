-- queue_many(): intended writes of one kind, committed before any call, in one
-- statement. An item whose dedupe_key is taken is the same write queued before: skipped.
INSERT INTO jet.actions
    (merchant_order_id, kind, call, subject, dedupe_key, body, requested_by, triggering_user, reason, created_at)
SELECT q.merchant_order_id, %(call)s || coalesce(':' || q.subject, ''), %(call)s, q.subject, q.dedupe_key, q.body,
       %(requested_by)s, %(triggering_user)s, %(reason)s, %(created_at)s
FROM unnest(%(merchant_order_ids)s::text[], %(subjects)s::text[], %(dedupe_keys)s::text[], %(bodies)s::jsonb[])
     AS q(merchant_order_id, subject, dedupe_key, body)
ON CONFLICT DO NOTHING
RETURNING action_id;
