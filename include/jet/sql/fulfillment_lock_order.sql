-- Lock an order's row so two recorders cannot both take its last open units.
SELECT status, order_placed_at FROM jet.orders WHERE merchant_order_id = %(merchant_order_id)s FOR UPDATE;
