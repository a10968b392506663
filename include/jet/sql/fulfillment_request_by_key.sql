SELECT shipment_request_id, alt_shipment_id, merchant_order_id FROM jet.shipment_requests WHERE request_key = %(request_key)s;
