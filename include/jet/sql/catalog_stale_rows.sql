-- Staged stock rows counted before the count already loaded for their SKU and node:
-- the merge keeps the newer count (an old file never undoes a newer one).
SELECT count(*)
FROM stage_inventory s
JOIN jet.inventory t USING (sku, fulfillment_node)
WHERE s.counted_at < t.counted_at;
