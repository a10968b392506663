-- The person this session writes for; '' = nobody (the pipelines themselves).
-- Session-wide (is_local false): it lasts as long as the task's connection.
SELECT set_config('jet.actor', %(actor)s, false);
