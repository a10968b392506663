-- What Jet now says about a refund. decided_at is set once, by the run that first sees
-- it accepted or rejected.
UPDATE jet.refunds
   SET refund_status = %(refund_status)s,
       status_checked_at = %(checked_at)s,
       decided_at = CASE WHEN decided_at IS NULL AND (%(refund_status)s = %(vocab_refund_accepted)s
                                         OR %(refund_status)s LIKE %(vocab_refund_rejected_like)s)
                         THEN %(checked_at)s ELSE decided_at END
 WHERE alt_refund_id = %(alt_refund_id)s;
