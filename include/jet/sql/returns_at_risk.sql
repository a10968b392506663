SELECT merchant_return_authorization_id, merchant_order_id, return_status, deadline, hours_left, state
FROM jet.returns_at_risk_at(%(at)s);
