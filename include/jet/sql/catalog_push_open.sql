-- Record pushes about to be sent (state sending), committed before any is sent: a run
-- that dies afterwards leaves them for the read-back, never for a blind resend.
INSERT INTO jet.catalog_pushes (sku, kind, body, run_id, sent_at)
SELECT o.sku, o.kind, o.body, %(run_id)s, now()
FROM unnest(%(skus)s::text[], %(kinds)s::text[], %(bodies)s::jsonb[]) AS o(sku, kind, body)
RETURNING push_id, sku, kind;
