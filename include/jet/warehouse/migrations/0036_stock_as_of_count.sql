-- Stock that matches the warehouse floor.
--
-- on_hand is a count taken at a moment (the stock file's time), but jet.promised_units
-- nets shipments as they happen: a unit promised, then shipped before the next stock
-- file, left both the promise and the shelf, yet was still counted in on_hand, and was
-- sold a second time. Available stock now also subtracts the units shipped after the
-- count:
--   available = on_hand - promised (not yet shipped) - shipped since the count - safety stock

ALTER TABLE jet.inventory ADD COLUMN counted_at timestamptz;
UPDATE jet.inventory SET counted_at = updated_at;  -- before this migration, the load's time was all we knew
ALTER TABLE jet.inventory ALTER COLUMN counted_at SET NOT NULL;
COMMENT ON COLUMN jet.inventory.counted_at IS 'When on_hand was counted (UTC): the stock file''s counted_at column, else the file''s modification time, else the load''s time. Units shipped after it are no longer on hand (jet.stock_available).';
COMMENT ON COLUMN jet.inventory.on_hand IS 'Units physically on hand at the node at counted_at, as the merchant exported them.';
COMMENT ON TABLE jet.inventory IS 'Stock per SKU per fulfillment node, loaded with the catalog: a count as of counted_at. Key: (sku, fulfillment_node). Available to new orders: jet.stock_available.';

-- The shipments of a SKU at a node after a moment: looked up per stock row.
CREATE INDEX order_shipments_sku_idx ON jet.order_shipments (merchant_sku, shipped_at);

CREATE VIEW jet.stock_available AS
SELECT i.sku, i.fulfillment_node, i.on_hand, i.counted_at,
       coalesce(p.promised, 0) AS promised,
       coalesce(s.units, 0) AS shipped_since_count,
       i.safety_stock,
       coalesce(i.safety_stock, c.safety_stock) AS effective_safety_stock,
       greatest(0, i.on_hand - coalesce(p.promised, 0) - coalesce(s.units, 0)
                   - coalesce(i.safety_stock, c.safety_stock)) AS available
FROM jet.inventory i
CROSS JOIN jet.current_settings c
LEFT JOIN jet.promised_units p USING (sku, fulfillment_node)
LEFT JOIN LATERAL (
    -- A shipment without a ship date is counted as after the count: never sell a unit twice.
    SELECT sum(sh.shipped_qty)::integer AS units
    FROM jet.order_shipments sh
    JOIN jet.orders o USING (merchant_order_id)
    WHERE sh.merchant_sku = i.sku AND o.fulfillment_node = i.fulfillment_node AND sh.shipped_qty > 0
      AND (sh.shipped_at IS NULL OR sh.shipped_at > i.counted_at)
) s ON true;
COMMENT ON VIEW jet.stock_available IS 'Stock available to new orders per (sku, fulfillment_node): on_hand (counted at counted_at) - promised (acknowledged or held, not yet shipped or cancelled: jet.promised_units) - shipped_since_count (units shipped from the node after the count, so no longer on the shelf) - the safety stock (the SKU''s own, else the setting), never below 0. What the decider uses.';
COMMENT ON COLUMN jet.stock_available.shipped_since_count IS 'Units of the SKU shipped from the node after counted_at (by Jet''s ship dates; a shipment without one counts).';
COMMENT ON COLUMN jet.stock_available.safety_stock IS 'The SKU''s own safety stock at the node; NULL = the setting applies (effective_safety_stock).';

COMMENT ON VIEW jet.promised_units IS 'Units promised and not yet shipped or cancelled, per (sku, fulfillment_node): open units of acknowledged orders (at Jet, or with our acknowledge action in flight), net of shipments and cancellations in jet.order_shipments, plus units reserved by held decisions. Stock available to new orders: jet.stock_available (on_hand - promised - units shipped since the count - safety stock).';
COMMENT ON TABLE jet.products IS 'The merchant''s catalog: one row per merchant SKU, loaded from the merchant''s CSV export (make load-inventory, DAG jet_load_inventory). Key: sku. A SKU ordered on Jet but absent here is unknown: the order is cancelled. While the table holds no product at all, no order is decided (the catalog guard: an empty catalog would cancel every sale).';
