-- Quarantine invalid settlement rows (kind settlement_line) with their reason.
INSERT INTO jet.quarantine AS t
SELECT * FROM stage_settlement_quarantine
ON CONFLICT (kind, object_id, raw_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_batch_key = EXCLUDED.last_batch_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at;
