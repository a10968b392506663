-- Jet created the refund (201, or found by alt_refund_id when settling).
UPDATE jet.refunds
   SET refund_authorization_id = coalesce(refund_authorization_id, %(refund_authorization_id)s),
       refund_status = coalesce(%(refund_status)s, refund_status)
 WHERE alt_refund_id = %(alt_refund_id)s;
