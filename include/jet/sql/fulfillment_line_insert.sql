INSERT INTO jet.shipment_request_lines (shipment_request_id, merchant_sku, quantity_shipped, quantity_cancelled)
VALUES (%(shipment_request_id)s, %(merchant_sku)s, %(quantity_shipped)s, %(quantity_cancelled)s);
