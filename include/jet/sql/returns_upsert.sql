-- Land a return's latest version; rows whose payload did not change are left untouched,
-- so re-running a run changes nothing. Returns the id when the row was written.
INSERT INTO jet.returns (merchant_return_authorization_id, reference_return_authorization_id,
                         alt_return_authorization_id, merchant_order_id, reference_order_id, alt_order_id,
                         return_status, refund_without_return, return_date, shipping_carrier, tracking_number,
                         merchant_return_charge, agree_to_return_charge, return_charge_feedback, completed_at,
                         payload_hash, first_seen_at, updated_at)
VALUES (%(id)s, %(reference_return_authorization_id)s, %(alt_return_authorization_id)s, %(merchant_order_id)s,
        %(reference_order_id)s, %(alt_order_id)s, %(return_status)s, %(refund_without_return)s, %(return_date)s,
        %(shipping_carrier)s, %(tracking_number)s, %(merchant_return_charge)s, %(agree_to_return_charge)s,
        %(return_charge_feedback)s, %(completed_at)s, %(payload_hash)s, %(observed_at)s, %(observed_at)s)
ON CONFLICT (merchant_return_authorization_id) DO UPDATE SET
    reference_return_authorization_id = EXCLUDED.reference_return_authorization_id,
    alt_return_authorization_id = EXCLUDED.alt_return_authorization_id,
    merchant_order_id = EXCLUDED.merchant_order_id,
    reference_order_id = EXCLUDED.reference_order_id,
    alt_order_id = EXCLUDED.alt_order_id,
    return_status = EXCLUDED.return_status,
    refund_without_return = EXCLUDED.refund_without_return,
    return_date = EXCLUDED.return_date,
    shipping_carrier = EXCLUDED.shipping_carrier,
    tracking_number = EXCLUDED.tracking_number,
    merchant_return_charge = EXCLUDED.merchant_return_charge,
    agree_to_return_charge = EXCLUDED.agree_to_return_charge,
    return_charge_feedback = EXCLUDED.return_charge_feedback,
    completed_at = EXCLUDED.completed_at,
    payload_hash = EXCLUDED.payload_hash,
    updated_at = EXCLUDED.updated_at
WHERE jet.returns.payload_hash IS DISTINCT FROM EXCLUDED.payload_hash
RETURNING merchant_return_authorization_id, (xmax = 0) AS inserted;
