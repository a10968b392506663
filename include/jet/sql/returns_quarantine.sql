-- An invalid return payload: kept with its raw body and the error; nothing dropped.
INSERT INTO jet.quarantine (kind, object_id, raw_hash, raw_body, error, error_field, first_seen_at, last_seen_at,
                            first_batch_key, last_batch_key)
VALUES ('return', %(id)s, %(raw_hash)s, %(raw_body)s, %(error)s, %(error_field)s, %(observed_at)s, %(observed_at)s,
        %(batch_key)s, %(batch_key)s)
ON CONFLICT (kind, object_id, raw_hash) DO UPDATE SET
    last_seen_at = greatest(jet.quarantine.last_seen_at, EXCLUDED.last_seen_at),
    last_batch_key = EXCLUDED.last_batch_key;
