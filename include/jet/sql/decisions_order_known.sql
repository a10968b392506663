SELECT 1 FROM jet.orders WHERE merchant_order_id = %(order_id)s;
