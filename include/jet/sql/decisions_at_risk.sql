-- Orders at risk of missing the acknowledgement deadline, seen at the run's time.
SELECT merchant_order_id, ready_at, deadline, minutes_left, state
FROM jet.orders_at_risk_at(%(at)s)
WHERE minutes_left <= %(within_minutes)s;
