-- Final counts of a batch landed order by order, written by the transaction that
-- recorded the batch (its payload rows needed the batch row before the counts were known).
UPDATE jet.ingest_batches
   SET orders_loaded = %(loaded)s, orders_changed = %(changed)s, quarantined = %(quarantined)s
 WHERE batch_key = %(batch_key)s
