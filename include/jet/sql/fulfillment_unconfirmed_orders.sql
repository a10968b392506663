-- Orders with a shipment Jet accepted that the warehouse does not show yet: re-read them.
SELECT DISTINCT merchant_order_id FROM jet.shipment_request_status WHERE status = 'uploaded' ORDER BY 1;
