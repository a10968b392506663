-- The %(n)s orders first settled on days first..last whose actual margin is furthest from the estimate.
SELECT p.merchant_order_id, o.reference_order_id, p.first_settled_on, p.units_ordered, p.units_shipped,
       p.units_refunded, p.est_contribution_margin, p.act_contribution_margin, p.margin_drift AS drift
FROM analytics.order_pnl p
LEFT JOIN jet.orders o USING (merchant_order_id)
WHERE p.first_settled_on BETWEEN %(first)s AND %(last)s
ORDER BY abs(p.margin_drift) DESC, p.merchant_order_id
LIMIT %(n)s;
