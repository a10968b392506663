-- Orders Jet no longer serves (404 on their detail), recorded instead of failing the run.
-- An order Jet lists or we hold as open can vanish at Jet: withdrawn, past Jet's 90-day
-- window, or another account's. One such order must not stop the rest of a batch; it is
-- recorded here, reported in the run's counts, and left out of later refreshes until it
-- is seen again (jet_import_order re-pulls it on request).
CREATE TABLE jet.order_fetch_misses (
    merchant_order_id text        PRIMARY KEY,
    first_missing_at  timestamptz NOT NULL,
    last_missing_at   timestamptz NOT NULL,
    last_batch_key    text        NOT NULL REFERENCES jet.ingest_batches
);
COMMENT ON TABLE jet.order_fetch_misses IS 'Orders whose detail Jet answered 404 (gone at Jet). Key: merchant_order_id. An order missing since it was last landed is skipped by refreshes.';
COMMENT ON COLUMN jet.order_fetch_misses.first_missing_at IS 'Logical time of the first run that got a 404 for this order (UTC).';
COMMENT ON COLUMN jet.order_fetch_misses.last_missing_at IS 'Logical time of the latest run that got a 404 for this order (UTC).';

ALTER TABLE jet.ingest_batches ADD COLUMN missing integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN jet.ingest_batches.missing IS 'Orders in the batch Jet answered 404 for (see jet.order_fetch_misses).';
