-- Contribution margin by SKU over the settlement days first..last: the %(n)s best and
-- the %(n)s worst (a SKU among both when there are fewer than 2 × n SKUs).
WITH skus AS (
    SELECT merchant_sku,
           count(DISTINCT merchant_order_id) AS orders,
           sum(units_shipped) AS units_shipped, sum(units_refunded) AS units_refunded,
           sum(revenue + shipping_revenue) AS revenue,
           sum(variable_commission + fixed_commission + commission_refunded + fulfillment_fees + return_charges
               + return_processing_fees) AS fees,
           sum(refunds) AS refunds, sum(cogs) AS cogs,
           sum(net_proceeds - tax_collected - tax_refunded - cogs) AS contribution_margin
    FROM analytics.pnl_lines
    WHERE settlement_date BETWEEN %(first)s AND %(last)s AND merchant_sku IS NOT NULL AND merchant_sku <> ''
    GROUP BY merchant_sku
),
ranked AS (
    SELECT s.*, round(contribution_margin / nullif(revenue, 0), 4) AS margin_share,
           row_number() OVER (ORDER BY contribution_margin DESC, merchant_sku) AS best,
           row_number() OVER (ORDER BY contribution_margin, merchant_sku) AS worst
    FROM skus s
)
SELECT merchant_sku, orders, units_shipped, units_refunded, revenue, fees, refunds, cogs, contribution_margin,
       margin_share, best <= %(n)s AS is_top, worst <= %(n)s AS is_bottom
FROM ranked
WHERE best <= %(n)s OR worst <= %(n)s
ORDER BY contribution_margin DESC, merchant_sku;
