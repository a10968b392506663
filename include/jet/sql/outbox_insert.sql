-- queue(): the intended write, committed before any call. A second queue with the same
-- dedupe_key is a no-op (the caller reads the existing action). No conflict target: every
-- unique index arbitrates, so two runs queueing the same write at once both succeed
-- whichever index Postgres checks first (with a target, a race on (merchant_order_id,
-- kind) raised UniqueViolation); the caller refuses a different write that lost to one
-- of them (one acknowledgement call per order) by finding no action under its key.
INSERT INTO jet.actions
    (merchant_order_id, kind, call, subject, dedupe_key, decision_id, body, requested_by, triggering_user, reason,
     created_at)
VALUES (%(merchant_order_id)s, %(kind)s, %(call)s, %(subject)s, %(dedupe_key)s, %(decision_id)s, %(body)s,
        %(requested_by)s, %(triggering_user)s, %(reason)s, %(created_at)s)
ON CONFLICT DO NOTHING
RETURNING action_id;
