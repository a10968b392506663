-- A backend of this database (not the lock holder's) waiting on a lock while running the
-- statement the chaos campaign wants to interrupt (a LIKE pattern on its text).
SELECT pid
FROM pg_stat_activity
WHERE datname = current_database()
  AND pid <> pg_backend_pid()
  AND pid <> %(holder)s
  AND wait_event_type = 'Lock'
  AND query LIKE %(pattern)s
LIMIT 1;
