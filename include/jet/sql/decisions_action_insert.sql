-- An intended write to Jet. No ON CONFLICT: a second action of the same kind, or a second
-- acknowledgement call for one order, must fail loudly (constraints of migration 0003).
INSERT INTO jet.actions (merchant_order_id, kind, decision_id, body, requested_by, reason, created_at)
VALUES (%(merchant_order_id)s, %(kind)s, %(decision_id)s, %(body)s, %(requested_by)s, %(reason)s, %(created_at)s)
RETURNING action_id;
