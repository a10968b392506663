-- Actions that a sender could act on now, per kind (for the branch).
SELECT kind, count(*) FROM jet.actions
WHERE state IN ('pending', 'unknown', 'sending') OR (state = 'not_applied' AND attempts < %(max_attempts)s)
GROUP BY kind;
