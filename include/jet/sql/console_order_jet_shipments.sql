-- Shipments as Jet shows them on the order (including cancellation-only ones).
SELECT shipment_key, shipment_id, alt_shipment_id, carrier, shipment_method, tracking_number, shipped_at,
       merchant_sku, shipped_qty, cancelled_qty
FROM jet.order_shipments
WHERE merchant_order_id = %(merchant_order_id)s
ORDER BY shipped_at NULLS LAST, shipment_key, merchant_sku;
