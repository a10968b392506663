-- Sessions holding an advisory lock on a bigint key in this database
-- (pg_locks splits the key: classid = high 32 bits, objid = low 32 bits, objsubid = 1).
SELECT a.pid, a.usename, a.application_name, a.state, a.xact_start, a.query
FROM pg_locks k
JOIN pg_stat_activity a ON a.pid = k.pid
WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 1
  AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND k.classid::bigint = (%(key)s::bigint >> 32)
  AND k.objid::bigint = (%(key)s::bigint & 4294967295)
  AND k.pid <> pg_backend_pid();
