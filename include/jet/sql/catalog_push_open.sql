-- Catalog pushes still open in the outbox, whichever run queued them.
SELECT count(*)::integer
FROM jet.actions a
WHERE a.merchant_order_id IS NULL AND a.call = ANY(%(calls)s)
  AND a.state IN ('pending', 'sending', 'unknown', 'not_applied');
