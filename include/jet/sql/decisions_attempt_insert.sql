INSERT INTO jet.action_attempts (action_id, attempt, sent_at, outcome, error)
VALUES (%(action_id)s, %(attempt)s, clock_timestamp(), %(outcome)s, %(error)s)
ON CONFLICT (action_id, attempt) DO NOTHING;
