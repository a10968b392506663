-- Records Jet would not serve this run. A run counts once per record (re-running the same
-- run changes nothing); a later failure moves last_failed_at and re-opens the record.
INSERT INTO jet.unreadable AS t
    (kind, object_id, error, http_status, failures, first_failed_at, last_failed_at, first_batch_key, last_batch_key)
SELECT %(kind)s, f.object_id, f.error, f.http_status, 1, %(at)s, %(at)s, %(batch_key)s, %(batch_key)s
FROM unnest(%(ids)s::text[], %(errors)s::text[], %(statuses)s::integer[]) AS f (object_id, error, http_status)
ON CONFLICT (kind, object_id) DO UPDATE
   SET error = EXCLUDED.error,
       http_status = EXCLUDED.http_status,
       failures = t.failures + 1,
       last_failed_at = EXCLUDED.last_failed_at,
       last_batch_key = EXCLUDED.last_batch_key,
       read_again_at = NULL
 WHERE t.last_failed_at < EXCLUDED.last_failed_at
