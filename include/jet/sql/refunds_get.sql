SELECT alt_refund_id, merchant_order_id, refund_authorization_id, refund_status
FROM jet.refunds WHERE alt_refund_id = %(alt_refund_id)s;
