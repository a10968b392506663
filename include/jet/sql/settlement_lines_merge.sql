-- Upsert the staged detail lines: a row is rewritten only when its content or the file
-- it came from changed, so re-landing the same file changes nothing.
-- The placeholders in braces are the twelve amount columns (jet.settlement.details.amount_sql).
INSERT INTO jet.settlement_lines AS t (
    settlement_report_id, line_no, transaction_type, balance, transaction_date,
    merchant_order_id, reference_order_id, order_item_id, merchant_return_authorization_id,
    refund_authorization_id, merchant_sku, quantity,
    {amounts}, description, row_hash, file_hash, landed_at, run_key
)
SELECT settlement_report_id, line_no, transaction_type, balance, transaction_date,
       merchant_order_id, reference_order_id, order_item_id, merchant_return_authorization_id,
       refund_authorization_id, merchant_sku, quantity,
       {amounts}, description, row_hash, file_hash, landed_at, run_key
FROM stage_settlement_lines
ON CONFLICT (settlement_report_id, line_no) DO UPDATE SET
    transaction_type = EXCLUDED.transaction_type,
    balance = EXCLUDED.balance,
    transaction_date = EXCLUDED.transaction_date,
    merchant_order_id = EXCLUDED.merchant_order_id,
    reference_order_id = EXCLUDED.reference_order_id,
    order_item_id = EXCLUDED.order_item_id,
    merchant_return_authorization_id = EXCLUDED.merchant_return_authorization_id,
    refund_authorization_id = EXCLUDED.refund_authorization_id,
    merchant_sku = EXCLUDED.merchant_sku,
    quantity = EXCLUDED.quantity,
    {amounts_excluded},
    description = EXCLUDED.description,
    row_hash = EXCLUDED.row_hash,
    file_hash = EXCLUDED.file_hash,
    landed_at = EXCLUDED.landed_at,
    run_key = EXCLUDED.run_key
 WHERE (t.row_hash, t.file_hash) IS DISTINCT FROM (EXCLUDED.row_hash, EXCLUDED.file_hash);
