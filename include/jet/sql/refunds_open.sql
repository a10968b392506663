-- Refunds Jet knows (authorization id) that are not decided yet.
SELECT alt_refund_id, merchant_order_id, refund_authorization_id, refund_status
FROM jet.refunds
WHERE refund_authorization_id IS NOT NULL
  AND coalesce(refund_status, %(vocab_refund_created)s) <> %(vocab_refund_accepted)s
  AND coalesce(refund_status, '') NOT LIKE %(vocab_refund_rejected_like)s
  AND (%(alt_refund_ids)s::text[] IS NULL OR alt_refund_id = ANY(%(alt_refund_ids)s))
ORDER BY alt_refund_id;
