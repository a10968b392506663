-- Shipment requests not uploaded yet (no action) and not refused, oldest first, with
-- their lines as JSON.
SELECT r.shipment_request_id, r.merchant_order_id, r.alt_shipment_id, r.carrier, r.shipping_method,
       r.tracking_number, r.ship_date, r.expected_delivery_date, r.carrier_pick_up_date, r.ship_from_zip,
       r.rma_number, r.days_to_return, r.return_address,
       (SELECT json_agg(json_build_array(l.merchant_sku, l.quantity_shipped, l.quantity_cancelled)
                        ORDER BY l.merchant_sku)
        FROM jet.shipment_request_lines l WHERE l.shipment_request_id = r.shipment_request_id) AS lines
FROM jet.shipment_requests r
WHERE r.problem IS NULL
  AND NOT EXISTS (SELECT 1 FROM jet.actions a
                  WHERE a.merchant_order_id = r.merchant_order_id AND a.subject = r.shipment_request_id::text
                    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.subject = 'shipment_request'))
ORDER BY r.shipment_request_id;
