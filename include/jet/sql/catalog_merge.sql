-- Upsert a staged catalog file (same transaction as the COPY). Rows only change when
-- their content did, so loading the same file twice changes nothing.
INSERT INTO jet.products AS t
SELECT * FROM stage_products
ON CONFLICT (sku) DO UPDATE SET
    title = EXCLUDED.title,
    unit_cost = EXCLUDED.unit_cost,
    replenishable = EXCLUDED.replenishable,
    archived = EXCLUDED.archived,
    updated_at = EXCLUDED.updated_at
 WHERE (t.title, t.unit_cost, t.replenishable, t.archived)
       IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.unit_cost, EXCLUDED.replenishable, EXCLUDED.archived);

INSERT INTO jet.inventory AS t
SELECT * FROM stage_inventory
ON CONFLICT (sku, fulfillment_node) DO UPDATE SET
    on_hand = EXCLUDED.on_hand,
    safety_stock = EXCLUDED.safety_stock,
    updated_at = EXCLUDED.updated_at
 WHERE (t.on_hand, t.safety_stock) IS DISTINCT FROM (EXCLUDED.on_hand, EXCLUDED.safety_stock);
