-- Tie each settlement's CSV lines to its report, per balance and amount column, in one
-- set-based statement: lines are summed per (settlement, balance) first, then unpivoted.
-- Only settlements whose detail file was landed are reconciled. Rows are rewritten only
-- when a figure changes, so a re-run changes nothing.
WITH targets AS (
    SELECT r.*
    FROM jet.settlement_reports r
    WHERE r.settlement_report_id = ANY(%(ids)s)
      AND EXISTS (SELECT 1 FROM jet.settlement_detail_files f WHERE f.settlement_report_id = r.settlement_report_id)
),
sums AS (
    SELECT l.settlement_report_id, l.balance,
           sum(l.merchant_price) AS merchant_price, sum(l.jet_variable_commission) AS jet_variable_commission,
           sum(l.fixed_commission) AS fixed_commission, sum(l.tax) AS tax,
           sum(l.shipping_revenue) AS shipping_revenue, sum(l.shipping_tax) AS shipping_tax,
           sum(l.shipping_charge) AS shipping_charge, sum(l.fulfillment_fee) AS fulfillment_fee,
           sum(l.product_cost) AS product_cost, sum(l.merchant_return_charge) AS merchant_return_charge,
           sum(l.return_processing_fee) AS return_processing_fee, sum(l.jet_adjustment) AS jet_adjustment
    FROM jet.settlement_lines l
    WHERE l.settlement_report_id = ANY(%(ids)s) AND l.transaction_type <> 'unallocated'
    GROUP BY l.settlement_report_id, l.balance
),
figures AS (
    SELECT t.settlement_report_id, b.balance, c.category, c.is_report_category,
           CASE WHEN c.is_report_category THEN coalesce(c.expected, 0) ELSE 0 END AS expected,
           coalesce(c.detail_sum, 0) AS detail_sum
    FROM targets t
    CROSS JOIN (VALUES ('order'), ('return'), ('adjustment')) AS b (balance)
    LEFT JOIN sums s ON s.settlement_report_id = t.settlement_report_id AND s.balance = b.balance
    CROSS JOIN LATERAL (VALUES
        ('merchant_price', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_merchant_price ELSE t.return_merchant_price END, s.merchant_price),
        ('jet_variable_commission', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_jet_variable_commission ELSE t.return_jet_variable_commission END,
         s.jet_variable_commission),
        ('fixed_commission', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_fixed_commission ELSE t.return_fixed_commission END,
         s.fixed_commission),
        ('tax', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_tax ELSE t.return_tax END, s.tax),
        ('shipping_revenue', b.balance = 'order', t.order_shipping_revenue, s.shipping_revenue),
        ('shipping_tax', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_shipping_tax ELSE t.return_shipping_tax END, s.shipping_tax),
        ('shipping_charge', b.balance = 'order', t.order_shipping_charge, s.shipping_charge),
        ('fulfillment_fee', b.balance = 'order', t.order_fulfillment_fee, s.fulfillment_fee),
        ('product_cost', b.balance IN ('order', 'return'),
         CASE b.balance WHEN 'order' THEN t.order_product_cost ELSE t.return_product_cost END, s.product_cost),
        ('merchant_return_charge', b.balance = 'return', t.return_merchant_return_charge, s.merchant_return_charge),
        ('return_processing_fee', b.balance = 'return', t.return_return_processing_fee, s.return_processing_fee),
        ('jet_adjustment', b.balance = 'adjustment', t.jet_adjustment, s.jet_adjustment)
    ) AS c (category, is_report_category, expected, detail_sum)
)
INSERT INTO jet.settlement_reconciliation AS r
    (settlement_report_id, balance, category, is_report_category, expected, detail_sum, checked_at, run_key)
SELECT settlement_report_id, balance, category, is_report_category, expected, detail_sum, %(observed_at)s, %(run_key)s
FROM figures
ON CONFLICT (settlement_report_id, balance, category) DO UPDATE SET
    is_report_category = EXCLUDED.is_report_category,
    expected = EXCLUDED.expected,
    detail_sum = EXCLUDED.detail_sum,
    checked_at = EXCLUDED.checked_at,
    run_key = EXCLUDED.run_key
 WHERE (r.is_report_category, r.expected, r.detail_sum)
       IS DISTINCT FROM (EXCLUDED.is_report_category, EXCLUDED.expected, EXCLUDED.detail_sum);
