-- Actions that a sender could act on now, per kind (for the branch).
SELECT kind, count(*) FROM jet.actions
WHERE (state IN ('pending', 'unknown', 'sending') OR (state = 'not_applied' AND attempts < %(max_attempts)s))
  -- ship:<id>, complete_return:<id>, refund:<id> belong to jet.fulfillment.outbox
  AND kind NOT LIKE '%%:%%'
GROUP BY kind;
