-- Record a shipment request; a second recording with the same request_key is a no-op.
INSERT INTO jet.shipment_requests (request_key, merchant_order_id, alt_shipment_id, carrier, shipping_method,
                                   tracking_number, ship_date, expected_delivery_date, carrier_pick_up_date,
                                   ship_from_zip, rma_number, days_to_return, return_address, requested_by,
                                   requested_at)
VALUES (%(request_key)s, %(merchant_order_id)s,
        coalesce(%(alt_shipment_id)s, 'JF-SHP-' || lpad(nextval('jet.shipment_alt_id_seq')::text, 8, '0')),
        %(carrier)s, %(shipping_method)s, %(tracking_number)s, %(ship_date)s, %(expected_delivery_date)s,
        %(carrier_pick_up_date)s, %(ship_from_zip)s, %(rma_number)s, %(days_to_return)s, %(return_address)s,
        %(requested_by)s, %(requested_at)s)
ON CONFLICT (request_key) DO NOTHING
RETURNING shipment_request_id, alt_shipment_id;
