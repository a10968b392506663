-- Which of a batch's (merchant_order_id, payload_hash) versions are already landed.
SELECT p.merchant_order_id, p.payload_hash
FROM jet.order_payloads p
JOIN unnest(%s::text[], %s::text[]) AS b(merchant_order_id, payload_hash) USING (merchant_order_id, payload_hash)
