-- Bad data never stops the good: what the landings need to keep every record Jet listed.
--
-- * jet.quarantine.raw_bytes: a body that PostgreSQL text cannot hold exactly (a NUL
--   byte, bytes that are not UTF-8) is kept byte for byte here; raw_body then holds a
--   readable rendering of it (U+FFFD for what could not be decoded, NUL included).
-- * jet.unreadable: records Jet listed (or we hold as open) that could not be fetched at
--   all: Jet kept failing (retries exhausted) or refused the read. Recorded instead of
--   failing the run, counted in the run's receipt, and listed in the views below until a
--   later run reads the record again.
-- * jet.ingest_batches.unreadable: the batch's count of those.
-- * jet.settlement_detail_files.body_bytes: the same exact-bytes rule for detail files.

ALTER TABLE jet.quarantine ADD COLUMN raw_bytes bytea;
COMMENT ON COLUMN jet.quarantine.raw_bytes IS 'The body byte for byte when raw_body (text) cannot hold it exactly: it contained a NUL byte or bytes that are not UTF-8. NULL when raw_body is the body exactly.';
COMMENT ON COLUMN jet.quarantine.raw_body IS 'The body as received, as text (may be invalid JSON). When raw_bytes is set, this is a readable rendering with U+FFFD where the body could not be held as text; raw_bytes has the exact bytes.';
COMMENT ON COLUMN jet.quarantine.error IS 'Why it was rejected, starting with the offending field path (or $ for the whole body): a validation error, or the warehouse''s own error when the database refused the record.';
COMMENT ON COLUMN jet.quarantine.kind IS 'What the payload should have been: order, return, refund, settlement_report, settlement_line.';

CREATE TABLE jet.unreadable (
    kind            text        NOT NULL
        CHECK (kind IN ('order', 'return', 'refund', 'settlement_report', 'settlement_details')),
    object_id       text        NOT NULL,
    error           text        NOT NULL,
    http_status     integer,
    failures        integer     NOT NULL DEFAULT 1 CHECK (failures >= 1),
    first_failed_at timestamptz NOT NULL,
    last_failed_at  timestamptz NOT NULL,
    first_batch_key text        NOT NULL,
    last_batch_key  text        NOT NULL,
    read_again_at   timestamptz,
    PRIMARY KEY (kind, object_id),
    CHECK (read_again_at IS NULL OR read_again_at > last_failed_at)
);
COMMENT ON TABLE jet.unreadable IS 'Records Jet listed or we hold as open that could not be fetched (Jet kept failing, or refused the read): recorded instead of failing the run. Key: (kind, object_id). One row per record, counting the runs that failed to read it; read_again_at is set when a later run reads it.';
COMMENT ON COLUMN jet.unreadable.kind IS 'order, return, refund, settlement_report or settlement_details (the SettlementDetails file of a settlement).';
COMMENT ON COLUMN jet.unreadable.object_id IS 'The id the record was requested by (merchant_order_id, return id, refund_authorization_id, settlement_report_id).';
COMMENT ON COLUMN jet.unreadable.error IS 'The last failure, readable: the request and Jet''s status or the transport error.';
COMMENT ON COLUMN jet.unreadable.http_status IS 'Jet''s HTTP status on the last failure; NULL when there was no answer (timeouts, dropped connections).';
COMMENT ON COLUMN jet.unreadable.failures IS 'Runs (distinct logical times) that failed to read the record since it was first recorded.';
COMMENT ON COLUMN jet.unreadable.first_failed_at IS 'Logical time of the first run that could not read it (UTC).';
COMMENT ON COLUMN jet.unreadable.last_failed_at IS 'Logical time of the latest run that could not read it (UTC); only moves forward.';
COMMENT ON COLUMN jet.unreadable.read_again_at IS 'Logical time of the first run that read it after its last failure; NULL while it is still unreadable.';

CREATE VIEW jet.unreadable_now AS
SELECT kind, object_id, error, http_status, failures, first_failed_at, last_failed_at, last_batch_key
FROM jet.unreadable
WHERE read_again_at IS NULL;
COMMENT ON VIEW jet.unreadable_now IS 'What operators watch: every record Jet listed that the latest attempts could not read, of any kind. Key: (kind, object_id).';

CREATE VIEW jet.unreadable_orders AS
SELECT object_id AS merchant_order_id, error, http_status, failures, first_failed_at, last_failed_at, last_batch_key
FROM jet.unreadable
WHERE kind = 'order' AND read_again_at IS NULL;
COMMENT ON VIEW jet.unreadable_orders IS 'Orders Jet listed (or we hold as open) that could not be fetched on their latest attempts: not landed, not decided. Key: merchant_order_id. The pipeline retries them every run; import one by hand with jet_import_order once Jet serves it.';

ALTER TABLE jet.ingest_batches ADD COLUMN unreadable integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN jet.ingest_batches.unreadable IS 'Orders of the batch that could not be fetched (see jet.unreadable_orders).';

ALTER TABLE jet.settlement_detail_files ADD COLUMN body_bytes bytea;
COMMENT ON COLUMN jet.settlement_detail_files.body_bytes IS 'The file byte for byte when body (text) cannot hold it exactly (a NUL byte, bytes that are not UTF-8); NULL otherwise.';
