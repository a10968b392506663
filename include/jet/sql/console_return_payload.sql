-- A return's payload as last landed, and the order it belongs to.
SELECT p.payload, r.merchant_order_id
FROM jet.returns r
JOIN jet.return_payloads p ON p.merchant_return_authorization_id = r.merchant_return_authorization_id
                          AND p.payload_hash = r.payload_hash
WHERE r.merchant_return_authorization_id = %(return_id)s;
