-- How many staged orders are new or differ from the version already landed.
SELECT count(*)
FROM stage_orders s
LEFT JOIN jet.orders o USING (merchant_order_id)
WHERE o.payload_hash IS DISTINCT FROM s.payload_hash
