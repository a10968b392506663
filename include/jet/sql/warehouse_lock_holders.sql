-- Who holds a pipeline lock (see the view jet.pipeline_lock_holders).
SELECT pid, user_name, application_name, state, held_since, query
FROM jet.pipeline_lock_holders
WHERE name = %(name)s;
