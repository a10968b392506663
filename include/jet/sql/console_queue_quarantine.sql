-- Payloads that failed validation, newest first, with the start of their raw body.
SELECT kind, object_id, error, error_field, first_seen_at, last_seen_at, left(raw_body, 300) AS raw_start,
       length(raw_body) AS raw_length,
       EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = q.object_id) AS order_known
FROM jet.quarantine q
ORDER BY last_seen_at DESC, kind, object_id
LIMIT %(limit)s;
