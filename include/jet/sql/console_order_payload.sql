-- The order's payload as last landed (the version jet.orders was built from).
SELECT p.payload
FROM jet.orders o
JOIN jet.order_payloads p ON p.merchant_order_id = o.merchant_order_id AND p.payload_hash = o.payload_hash
WHERE o.merchant_order_id = %(merchant_order_id)s;
