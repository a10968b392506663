INSERT INTO jet.refunds (alt_refund_id, merchant_order_id, requested_by, requested_at)
VALUES (%(alt_refund_id)s, %(merchant_order_id)s, %(requested_by)s, %(requested_at)s);
