SELECT status FROM jet.orders WHERE merchant_order_id = %(merchant_order_id)s;
