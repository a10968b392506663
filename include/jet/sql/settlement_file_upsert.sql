-- Land one SettlementDetails file verbatim (every distinct file is kept; body_bytes holds
-- it byte for byte when text cannot).
INSERT INTO jet.settlement_detail_files AS t
    (settlement_report_id, file_hash, body, body_bytes, data_rows, bad_rows, bulk_report_id,
     first_seen_at, last_seen_at, first_run_key, last_run_key)
VALUES (%(settlement_report_id)s, %(file_hash)s, %(body)s, %(body_bytes)s, %(data_rows)s, %(bad_rows)s,
        %(bulk_report_id)s, %(observed_at)s, %(observed_at)s, %(run_key)s, %(run_key)s)
ON CONFLICT (settlement_report_id, file_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_run_key = EXCLUDED.last_run_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at;
