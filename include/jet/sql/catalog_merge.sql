-- Upsert a staged catalog file (same transaction as the COPY). Rows only change when
-- their content did, so loading the same file twice changes nothing. A stock row
-- counted before the count already loaded is skipped (see catalog_stale_rows.sql).
-- An empty price or node_price keeps the one loaded (an older export has no prices);
-- its as-of time moves only when the price changes. The file's archived column is
-- archived_in_file: a product archived on Jet stays archived (trigger products_archived).
INSERT INTO jet.products AS t (sku, title, unit_cost, replenishable, archived_in_file, archived, price, price_as_of,
                               updated_at)
SELECT sku, title, unit_cost, replenishable, archived, archived, price,
       CASE WHEN price IS NOT NULL THEN updated_at END, updated_at
FROM stage_products
ON CONFLICT (sku) DO UPDATE SET
    title = EXCLUDED.title,
    unit_cost = EXCLUDED.unit_cost,
    replenishable = EXCLUDED.replenishable,
    archived_in_file = EXCLUDED.archived_in_file,
    price = coalesce(EXCLUDED.price, t.price),
    price_as_of = CASE WHEN EXCLUDED.price IS DISTINCT FROM t.price AND EXCLUDED.price IS NOT NULL
                       THEN EXCLUDED.updated_at ELSE t.price_as_of END,
    updated_at = EXCLUDED.updated_at
 WHERE (t.title, t.unit_cost, t.replenishable, t.archived_in_file)
       IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.unit_cost, EXCLUDED.replenishable, EXCLUDED.archived_in_file)
    OR (EXCLUDED.price IS NOT NULL AND EXCLUDED.price IS DISTINCT FROM t.price);

INSERT INTO jet.inventory AS t (sku, fulfillment_node, on_hand, safety_stock, counted_at, node_price,
                                node_price_as_of, updated_at)
SELECT sku, fulfillment_node, on_hand, safety_stock, counted_at, node_price,
       CASE WHEN node_price IS NOT NULL THEN updated_at END, updated_at
FROM stage_inventory
ON CONFLICT (sku, fulfillment_node) DO UPDATE SET
    on_hand = CASE WHEN EXCLUDED.counted_at >= t.counted_at THEN EXCLUDED.on_hand ELSE t.on_hand END,
    safety_stock = CASE WHEN EXCLUDED.counted_at >= t.counted_at THEN EXCLUDED.safety_stock ELSE t.safety_stock END,
    counted_at = greatest(EXCLUDED.counted_at, t.counted_at),
    node_price = coalesce(EXCLUDED.node_price, t.node_price),
    node_price_as_of = CASE WHEN EXCLUDED.node_price IS DISTINCT FROM t.node_price AND EXCLUDED.node_price IS NOT NULL
                            THEN EXCLUDED.updated_at ELSE t.node_price_as_of END,
    updated_at = EXCLUDED.updated_at
 WHERE ((t.on_hand, t.safety_stock, t.counted_at)
        IS DISTINCT FROM (EXCLUDED.on_hand, EXCLUDED.safety_stock, EXCLUDED.counted_at)
        AND EXCLUDED.counted_at >= t.counted_at)
    OR (EXCLUDED.node_price IS NOT NULL AND EXCLUDED.node_price IS DISTINCT FROM t.node_price);
