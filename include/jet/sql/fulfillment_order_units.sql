-- Per SKU of one order, from the warehouse: units ordered, shipped and cancelled as Jet
-- last reported them (jet.order_shipments), and units in our own shipment requests that
-- Jet does not show yet (pending, uploading, or uploaded but not refreshed).
WITH ordered AS (
    SELECT merchant_sku, sum(quantity)::integer AS units
    FROM jet.order_items WHERE merchant_order_id = %(merchant_order_id)s GROUP BY 1
),
done AS (
    SELECT merchant_sku, sum(shipped_qty)::integer AS shipped, sum(cancelled_qty)::integer AS cancelled
    FROM jet.order_shipments WHERE merchant_order_id = %(merchant_order_id)s GROUP BY 1
),
waiting AS (
    SELECT l.merchant_sku, sum(l.quantity_shipped + l.quantity_cancelled)::integer AS units
    FROM jet.shipment_request_status s
    JOIN jet.shipment_request_lines l USING (shipment_request_id)
    WHERE s.merchant_order_id = %(merchant_order_id)s AND s.status IN ('pending', 'uploading', 'uploaded')
    GROUP BY 1
)
SELECT o.merchant_sku, o.units, coalesce(d.shipped, 0), coalesce(d.cancelled, 0), coalesce(w.units, 0)
FROM ordered o
LEFT JOIN done d USING (merchant_sku)
LEFT JOIN waiting w USING (merchant_sku)
ORDER BY o.merchant_sku;
