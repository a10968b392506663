-- Pushes without a known outcome: still sending (their run died, or is this one) or
-- unknown (timeout, 5xx). Settled from Jet's read-back once quiet.
SELECT push_id, sku, kind, body, state, run_id, sent_at, answered_at
FROM jet.catalog_pushes
WHERE state IN ('sending', 'unknown')
ORDER BY push_id;
