-- Confirmed shipment requests of some orders (for their system notes).
SELECT shipment_request_id, merchant_order_id, alt_shipment_id, units_shipped, units_cancelled
FROM jet.shipment_request_status
WHERE status = 'confirmed' AND merchant_order_id = ANY(%(order_ids)s)
ORDER BY shipment_request_id;
