SELECT merchant_order_id FROM jet.orders WHERE merchant_order_id = ANY(%(ids)s);
