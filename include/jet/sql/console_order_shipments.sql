-- Our shipment requests for one order and where each is (recorded, uploaded, confirmed
-- by Jet), with the units per SKU.
SELECT s.shipment_request_id, s.alt_shipment_id, s.status, s.problem, s.units_shipped, s.units_cancelled,
       s.action_state, r.carrier, r.shipping_method, r.tracking_number, r.ship_date, r.requested_at,
       r.requested_by, r.actor,
       (SELECT string_agg(l.merchant_sku || ' ' || l.quantity_shipped || '/' || l.quantity_cancelled, ', '
                          ORDER BY l.merchant_sku)
        FROM jet.shipment_request_lines l WHERE l.shipment_request_id = s.shipment_request_id) AS lines
FROM jet.shipment_request_status s
JOIN jet.shipment_requests r USING (shipment_request_id)
WHERE s.merchant_order_id = %(merchant_order_id)s
ORDER BY s.shipment_request_id;
