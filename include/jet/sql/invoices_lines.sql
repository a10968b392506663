-- An order's lines with per-unit amounts, and units shipped / cancelled as Jet reports them
-- (a SKU's units fill its lines in line order).
WITH done AS (
    SELECT merchant_sku, sum(shipped_qty)::integer AS shipped, sum(cancelled_qty)::integer AS cancelled
    FROM jet.order_shipments WHERE merchant_order_id = %(merchant_order_id)s GROUP BY 1
)
SELECT i.line_number, i.order_item_id, i.merchant_sku, i.product_title, i.quantity,
       coalesce(i.unit_price, 0), coalesce(i.item_tax, 0), coalesce(i.item_shipping_cost, 0),
       coalesce(i.item_shipping_tax, 0),
       coalesce(d.shipped, 0), coalesce(d.cancelled, 0)
FROM jet.order_items i
LEFT JOIN done d USING (merchant_sku)
WHERE i.merchant_order_id = %(merchant_order_id)s
ORDER BY i.line_number;
