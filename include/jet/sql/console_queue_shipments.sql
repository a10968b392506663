-- Shipment requests Jet does not show yet (pending, uploading, uploaded, refused, failed).
SELECT s.shipment_request_id, s.merchant_order_id, o.reference_order_id, s.alt_shipment_id, s.status,
       s.problem, s.requested_at, s.units_shipped, s.units_cancelled
FROM jet.shipment_request_status s
JOIN jet.orders o USING (merchant_order_id)
WHERE s.status <> 'confirmed'
ORDER BY s.requested_at, s.shipment_request_id
LIMIT %(limit)s;
