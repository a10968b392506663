-- Quarantine a settlement report body that failed validation (kind settlement_report).
INSERT INTO jet.quarantine AS t
    (kind, object_id, raw_hash, raw_body, error, error_field, first_seen_at, last_seen_at,
     first_batch_key, last_batch_key)
VALUES ('settlement_report', %(object_id)s, %(raw_hash)s, %(raw_body)s, %(error)s, %(error_field)s,
        %(observed_at)s, %(observed_at)s, %(run_key)s, %(run_key)s)
ON CONFLICT (kind, object_id, raw_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_batch_key = EXCLUDED.last_batch_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at;
