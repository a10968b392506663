SELECT merchant_return_authorization_id, merchant_order_id, return_status FROM jet.returns
WHERE merchant_return_authorization_id = %(id)s;
