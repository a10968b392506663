-- Orders named by the settlements' lines that jet.orders does not have.
SELECT DISTINCT l.merchant_order_id
FROM jet.settlement_lines l
WHERE l.settlement_report_id = ANY(%(ids)s)
  AND l.merchant_order_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = l.merchant_order_id)
ORDER BY 1;
