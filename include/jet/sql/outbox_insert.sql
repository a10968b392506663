-- queue(): the intended write, committed before any call. A second queue with the same
-- dedupe_key is a no-op (the caller reads the existing action); the acknowledgement index
-- (one acknowledgement call per order) still refuses a second, different one loudly.
INSERT INTO jet.actions
    (merchant_order_id, kind, call, subject, dedupe_key, decision_id, body, requested_by, triggering_user, reason,
     created_at)
VALUES (%(merchant_order_id)s, %(kind)s, %(call)s, %(subject)s, %(dedupe_key)s, %(decision_id)s, %(body)s,
        %(requested_by)s, %(triggering_user)s, %(reason)s, %(created_at)s)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING action_id;
