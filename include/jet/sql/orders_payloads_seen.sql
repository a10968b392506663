-- Versions seen again: move their last-seen stamp forward (never back, so re-running an
-- older run changes nothing).
UPDATE jet.order_payloads p
   SET last_seen_at = %(at)s, last_batch_key = %(batch_key)s
  FROM unnest(%(ids)s::text[], %(hashes)s::text[]) AS b(merchant_order_id, payload_hash)
 WHERE p.merchant_order_id = b.merchant_order_id
   AND p.payload_hash = b.payload_hash
   AND p.last_seen_at < %(at)s
