-- Pipeline locks that the analysts' role cannot take.
--
-- The decider serialised itself with pg_advisory_xact_lock(key). Any role may take any
-- advisory key, so an analyst's `SELECT pg_advisory_lock(<key>)` stalled every decide
-- run, without a timeout. Pipeline locks are now row locks on this table
-- (SELECT ... FOR UPDATE): that needs UPDATE on the table, which jetflow_analyst never
-- has, and an analyst's plain SELECT of it (ACCESS SHARE) conflicts with nothing the
-- pipeline takes. jet.warehouse.locks takes them with a timeout and, when one is held,
-- fails naming the holder (pid, user, application_name = the run, its query).

CREATE TABLE jet.pipeline_locks (
    name    text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    purpose text NOT NULL
);
COMMENT ON TABLE jet.pipeline_locks IS 'One row per lock the pipeline takes (SELECT ... FOR UPDATE on the row, for one transaction). Key: name. Taking one needs UPDATE on this table, which the analysts'' role does not have, so analysts can never block the pipeline. Who holds one: jet.pipeline_lock_holders.';
COMMENT ON COLUMN jet.pipeline_locks.purpose IS 'What the lock serialises, and why.';

INSERT INTO jet.pipeline_locks (name, purpose) VALUES
    ('decide', 'one decider at a time (scheduled, manual, dry run): two would claim the same stock');

CREATE VIEW jet.pipeline_lock_holders AS
SELECT l.name, a.pid, a.usename AS user_name, a.application_name, a.state, a.xact_start AS held_since, a.query
FROM jet.pipeline_locks l
JOIN pg_locks k ON k.locktype = 'transactionid' AND k.mode = 'ExclusiveLock' AND k.granted
               AND k.transactionid::text = l.xmax::text
JOIN pg_stat_activity a ON a.pid = k.pid;
COMMENT ON VIEW jet.pipeline_lock_holders IS 'Who holds each pipeline lock now: pid, user, application_name (jetflow <dag_id>/<run> for the pipeline''s own sessions), state, since when, and the last query. A row lock''s holder is the transaction in the row''s xmax.';
