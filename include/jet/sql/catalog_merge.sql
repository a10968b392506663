-- Upsert a staged catalog file (same transaction as the COPY). Rows only change when
-- their content did, so loading the same file twice changes nothing. A stock row
-- counted before the count already loaded is skipped (see catalog_stale_rows.sql).
INSERT INTO jet.products AS t (sku, title, unit_cost, replenishable, archived, updated_at)
SELECT sku, title, unit_cost, replenishable, archived, updated_at FROM stage_products
ON CONFLICT (sku) DO UPDATE SET
    title = EXCLUDED.title,
    unit_cost = EXCLUDED.unit_cost,
    replenishable = EXCLUDED.replenishable,
    archived = EXCLUDED.archived,
    updated_at = EXCLUDED.updated_at
 WHERE (t.title, t.unit_cost, t.replenishable, t.archived)
       IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.unit_cost, EXCLUDED.replenishable, EXCLUDED.archived);

INSERT INTO jet.inventory AS t (sku, fulfillment_node, on_hand, safety_stock, counted_at, updated_at)
SELECT sku, fulfillment_node, on_hand, safety_stock, counted_at, updated_at FROM stage_inventory
ON CONFLICT (sku, fulfillment_node) DO UPDATE SET
    on_hand = EXCLUDED.on_hand,
    safety_stock = EXCLUDED.safety_stock,
    counted_at = EXCLUDED.counted_at,
    updated_at = EXCLUDED.updated_at
 WHERE (t.on_hand, t.safety_stock, t.counted_at)
       IS DISTINCT FROM (EXCLUDED.on_hand, EXCLUDED.safety_stock, EXCLUDED.counted_at)
   AND EXCLUDED.counted_at >= t.counted_at;
