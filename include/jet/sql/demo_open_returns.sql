-- Returns still open at Jet (created or in progress) that Jet opened at or before
-- %(before)s: the ones the return policy did not complete by itself wait this long for
-- the simulated operator.
SELECT merchant_return_authorization_id
FROM jet.returns
WHERE return_status = ANY(%(vocab_open_return_statuses)s) AND return_date <= %(before)s
ORDER BY return_date, merchant_return_authorization_id;
