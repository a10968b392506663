-- Returns the warehouse still holds as open: Jet may have moved them on.
SELECT merchant_return_authorization_id FROM jet.returns
WHERE return_status <> %(vocab_return_completed)s ORDER BY 1;
