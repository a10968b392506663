-- Ready orders whose acknowledgement is not applied or in flight, most urgent first.
SELECT r.merchant_order_id, o.reference_order_id, r.ready_at, r.deadline, r.minutes_left, r.state
FROM jet.orders_at_risk_at(%(now)s) r
JOIN jet.orders o USING (merchant_order_id)
ORDER BY r.deadline, r.merchant_order_id
LIMIT %(limit)s;
