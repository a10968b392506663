SELECT alt_refund_id, refund_status FROM jet.refunds WHERE alt_refund_id = ANY(%(alt_refund_ids)s);
