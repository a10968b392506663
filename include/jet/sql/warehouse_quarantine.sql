-- Quarantine one invalid body (any kind) with its reason; nothing is dropped. Seeing the
-- same body again moves last_seen forward only, so a re-run changes nothing.
INSERT INTO jet.quarantine AS t
    (kind, object_id, raw_hash, raw_body, raw_bytes, error, error_field, first_seen_at, last_seen_at,
     first_batch_key, last_batch_key)
VALUES (%(kind)s, %(object_id)s, %(raw_hash)s, %(raw_body)s, %(raw_bytes)s, %(error)s, %(error_field)s,
        %(observed_at)s, %(observed_at)s, %(batch_key)s, %(batch_key)s)
ON CONFLICT (kind, object_id, raw_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_batch_key = EXCLUDED.last_batch_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at
