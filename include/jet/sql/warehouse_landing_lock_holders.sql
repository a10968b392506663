-- Sessions holding a lock on a table (for the message of a landing that gave up waiting).
SELECT a.pid, a.usename, a.application_name, a.state, l.mode,
       coalesce(a.xact_start, a.backend_start) AT TIME ZONE 'UTC', coalesce(a.query, '')
FROM pg_locks l
JOIN pg_stat_activity a USING (pid)
WHERE l.locktype = 'relation'
  AND l.relation = to_regclass(%(table)s)
  AND l.granted
  AND a.pid <> pg_backend_pid()
ORDER BY a.xact_start NULLS LAST
