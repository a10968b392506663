-- Land one version of a settlement report raw (every distinct version is kept).
-- last_seen_* only move forward, so re-running an older run changes nothing.
INSERT INTO jet.settlement_report_payloads AS t
    (settlement_report_id, payload_hash, payload, first_seen_at, last_seen_at, first_run_key, last_run_key)
VALUES (%(settlement_report_id)s, %(payload_hash)s, %(payload)s::jsonb, %(observed_at)s, %(observed_at)s,
        %(run_key)s, %(run_key)s)
ON CONFLICT (settlement_report_id, payload_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_run_key = EXCLUDED.last_run_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at;
