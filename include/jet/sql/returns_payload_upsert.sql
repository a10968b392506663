INSERT INTO jet.return_payloads (merchant_return_authorization_id, payload_hash, payload, first_seen_at, last_seen_at)
VALUES (%(id)s, %(payload_hash)s, %(payload)s::jsonb, %(observed_at)s, %(observed_at)s)
ON CONFLICT (merchant_return_authorization_id, payload_hash)
DO UPDATE SET last_seen_at = greatest(jet.return_payloads.last_seen_at, EXCLUDED.last_seen_at);
