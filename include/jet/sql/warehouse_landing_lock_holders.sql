-- Sessions holding a lock on one table (for the error of a landing that gave up waiting
-- for its turn), as jet.warehouse.locks.Holder: pid, user, application, state, since, query.
SELECT DISTINCT a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query
FROM pg_locks l
JOIN pg_stat_activity a USING (pid)
WHERE l.locktype = 'relation'
  AND l.relation = to_regclass(%(table)s)
  AND l.granted
  AND a.pid <> pg_backend_pid()
ORDER BY a.pid
