-- Upsert the staged detail lines: a row is rewritten only when its content or the file
-- it came from changed, so re-landing the same file changes nothing.
INSERT INTO jet.settlement_lines AS t (
    settlement_report_id, line_no, transaction_type, balance, transaction_date,
    merchant_order_id, reference_order_id, order_item_id, merchant_return_authorization_id,
    refund_authorization_id, merchant_sku, quantity,
    merchant_price, jet_variable_commission, fixed_commission, tax, shipping_revenue, shipping_tax,
    shipping_charge, fulfillment_fee, product_cost, merchant_return_charge, return_processing_fee,
    jet_adjustment, description, row_hash, file_hash, landed_at, run_key
)
SELECT settlement_report_id, line_no, transaction_type, balance, transaction_date,
       merchant_order_id, reference_order_id, order_item_id, merchant_return_authorization_id,
       refund_authorization_id, merchant_sku, quantity,
       merchant_price, jet_variable_commission, fixed_commission, tax, shipping_revenue, shipping_tax,
       shipping_charge, fulfillment_fee, product_cost, merchant_return_charge, return_processing_fee,
       jet_adjustment, description, row_hash, file_hash, landed_at, run_key
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
    merchant_price = EXCLUDED.merchant_price,
    jet_variable_commission = EXCLUDED.jet_variable_commission,
    fixed_commission = EXCLUDED.fixed_commission,
    tax = EXCLUDED.tax,
    shipping_revenue = EXCLUDED.shipping_revenue,
    shipping_tax = EXCLUDED.shipping_tax,
    shipping_charge = EXCLUDED.shipping_charge,
    fulfillment_fee = EXCLUDED.fulfillment_fee,
    product_cost = EXCLUDED.product_cost,
    merchant_return_charge = EXCLUDED.merchant_return_charge,
    return_processing_fee = EXCLUDED.return_processing_fee,
    jet_adjustment = EXCLUDED.jet_adjustment,
    description = EXCLUDED.description,
    row_hash = EXCLUDED.row_hash,
    file_hash = EXCLUDED.file_hash,
    landed_at = EXCLUDED.landed_at,
    run_key = EXCLUDED.run_key
 WHERE (t.row_hash, t.file_hash) IS DISTINCT FROM (EXCLUDED.row_hash, EXCLUDED.file_hash);
