-- Whether the warehouse has landed an order (any status): a row means it is known.
SELECT 1 FROM jet.orders WHERE merchant_order_id = %(merchant_order_id)s;
