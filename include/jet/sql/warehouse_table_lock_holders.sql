-- Other sessions holding locks on the warehouse's tables and views (jet, analytics):
-- who a migration that timed out waiting for a lock was probably waiting for.
SELECT DISTINCT a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query
FROM pg_locks k
JOIN pg_class c ON c.oid = k.relation
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_stat_activity a ON a.pid = k.pid
WHERE k.granted AND n.nspname IN ('jet', 'analytics') AND k.pid <> pg_backend_pid()
ORDER BY a.pid;
