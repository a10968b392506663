-- Open returns not yet completed, with their completion deadline, most urgent first.
SELECT r.merchant_return_authorization_id AS return_id, r.merchant_order_id, o.reference_order_id,
       r.return_status, r.return_date, r.deadline, r.hours_left, r.state
FROM jet.returns_at_risk_at(%(now)s) r
LEFT JOIN jet.orders o USING (merchant_order_id)
ORDER BY r.deadline, r.merchant_return_authorization_id
LIMIT %(limit)s;
