-- Take one pipeline lock for the rest of the transaction (migration 0037). Needs UPDATE
-- on jet.pipeline_locks, which the analysts' role does not have.
SELECT name FROM jet.pipeline_locks WHERE name = %(name)s FOR UPDATE;
