-- Of the ids Jet lists as ready, those no ingestion has seen yet: not landed as an
-- order, not quarantined (invalid payload) and not recorded as missing at Jet (404).
-- Quarantined and missing orders count as seen, or the watcher would signal them forever.
SELECT id
FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS listed(id, position)
WHERE NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = listed.id)
  AND NOT EXISTS (SELECT 1 FROM jet.quarantine q WHERE q.kind = 'order' AND q.object_id = listed.id)
  AND NOT EXISTS (SELECT 1 FROM jet.order_fetch_misses m WHERE m.merchant_order_id = listed.id)
ORDER BY position;
