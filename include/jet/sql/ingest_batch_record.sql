-- Record a batch. A batch commits atomically with its rows, so the first commit's
-- counts are the batch's counts; a re-run of the same batch leaves them as they are.
-- Returns the key only when this statement inserted the row.
INSERT INTO jet.ingest_batches
    (batch_key, source, dag_run_id, observed_at, orders_listed, orders_loaded, orders_changed, quarantined, missing,
     unreadable)
VALUES (%(batch_key)s, %(source)s, %(dag_run_id)s, %(observed_at)s, %(listed)s, %(loaded)s, %(changed)s, %(quarantined)s,
        %(missing)s, %(unreadable)s)
ON CONFLICT (batch_key) DO NOTHING
RETURNING batch_key
