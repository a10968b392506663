-- The orders the taken changes touch: the orders named, every order with a line of a SKU
-- whose cost changed (ordered or settled), every order on a settlement whose day changed.
INSERT INTO pnl_scope (merchant_order_id)
SELECT t.key FROM pnl_taken t WHERE t.scope = 'order'
UNION
SELECT i.merchant_order_id FROM pnl_taken t JOIN jet.order_items i ON i.merchant_sku = t.key WHERE t.scope = 'sku'
UNION
SELECT l.merchant_order_id FROM pnl_taken t JOIN jet.settlement_lines l ON l.merchant_sku = t.key
WHERE t.scope = 'sku' AND l.merchant_order_id IS NOT NULL
UNION
SELECT l.merchant_order_id FROM pnl_taken t JOIN jet.settlement_lines l ON l.settlement_report_id = t.key
WHERE t.scope = 'settlement' AND l.merchant_order_id IS NOT NULL;
