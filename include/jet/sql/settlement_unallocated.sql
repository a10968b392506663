-- Book every difference between a report and its lines as an explicit unallocated line,
-- one per (settlement, balance) that does not tie out, so Σ lines = report per column.
WITH off AS (
    SELECT settlement_report_id, balance,
           sum(difference) FILTER (WHERE category = 'merchant_price') AS merchant_price,
           sum(difference) FILTER (WHERE category = 'jet_variable_commission') AS jet_variable_commission,
           sum(difference) FILTER (WHERE category = 'fixed_commission') AS fixed_commission,
           sum(difference) FILTER (WHERE category = 'tax') AS tax,
           sum(difference) FILTER (WHERE category = 'shipping_revenue') AS shipping_revenue,
           sum(difference) FILTER (WHERE category = 'shipping_tax') AS shipping_tax,
           sum(difference) FILTER (WHERE category = 'shipping_charge') AS shipping_charge,
           sum(difference) FILTER (WHERE category = 'fulfillment_fee') AS fulfillment_fee,
           sum(difference) FILTER (WHERE category = 'product_cost') AS product_cost,
           sum(difference) FILTER (WHERE category = 'merchant_return_charge') AS merchant_return_charge,
           sum(difference) FILTER (WHERE category = 'return_processing_fee') AS return_processing_fee,
           sum(difference) FILTER (WHERE category = 'jet_adjustment') AS jet_adjustment
    FROM jet.settlement_reconciliation
    WHERE settlement_report_id = ANY(%(ids)s)
    GROUP BY settlement_report_id, balance
    HAVING bool_or(difference <> 0)
)
INSERT INTO jet.settlement_lines AS t (
    settlement_report_id, line_no, transaction_type, balance, quantity,
    merchant_price, jet_variable_commission, fixed_commission, tax, shipping_revenue, shipping_tax,
    shipping_charge, fulfillment_fee, product_cost, merchant_return_charge, return_processing_fee,
    jet_adjustment, description, row_hash, file_hash, landed_at, run_key
)
SELECT settlement_report_id,
       CASE balance WHEN 'order' THEN -1 WHEN 'return' THEN -2 ELSE -3 END,
       'unallocated', balance, 0,
       coalesce(merchant_price, 0), coalesce(jet_variable_commission, 0), coalesce(fixed_commission, 0),
       coalesce(tax, 0), coalesce(shipping_revenue, 0), coalesce(shipping_tax, 0), coalesce(shipping_charge, 0),
       coalesce(fulfillment_fee, 0), coalesce(product_cost, 0), coalesce(merchant_return_charge, 0),
       coalesce(return_processing_fee, 0), coalesce(jet_adjustment, 0),
       'unallocated: the ' || balance || ' balance of the report differs from its detail lines',
       md5(concat_ws('|', merchant_price, jet_variable_commission, fixed_commission, tax, shipping_revenue,
                     shipping_tax, shipping_charge, fulfillment_fee, product_cost, merchant_return_charge,
                     return_processing_fee, jet_adjustment)),
       NULL, %(observed_at)s, %(run_key)s
FROM off
ON CONFLICT (settlement_report_id, line_no) DO UPDATE SET
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
    landed_at = EXCLUDED.landed_at,
    run_key = EXCLUDED.run_key
 WHERE t.row_hash IS DISTINCT FROM EXCLUDED.row_hash;
