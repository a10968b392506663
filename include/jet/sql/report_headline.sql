-- The P&L report's headline over the settlement days first..last (both included): the
-- five figures (revenue, Jet fees, refunds, cost of goods, contribution margin), what
-- else the margin holds (Jet adjustments, unallocated differences), and their context.
-- margin = revenue + fees + refunds + adjustments + unallocated - cogs, to the cent.
WITH days AS (
    SELECT * FROM analytics.pnl_daily WHERE day BETWEEN %(first)s AND %(last)s
),
settlements AS (
    SELECT count(*) AS settlements, count(*) FILTER (WHERE status = 'reconciled') AS reconciled
    FROM analytics.settlement_reconciliation
    WHERE settlement_date BETWEEN %(first)s AND %(last)s
),
orders AS (
    SELECT count(DISTINCT merchant_order_id) AS orders_settled,
           -- Units shipped whose SKU has no unit cost: cost of goods is understated by them.
           coalesce(sum(units_shipped) FILTER (
               WHERE NOT EXISTS (SELECT 1 FROM jet.products p WHERE p.sku = l.merchant_sku)), 0)::bigint
               AS units_without_cost
    FROM analytics.pnl_lines l
    WHERE settlement_date BETWEEN %(first)s AND %(last)s AND merchant_order_id IS NOT NULL
)
SELECT coalesce(sum(d.revenue + d.shipping_revenue), 0) AS revenue,
       coalesce(sum(d.variable_commission + d.fixed_commission + d.commission_refunded + d.fulfillment_fees
                    + d.return_charges + d.return_processing_fees), 0) AS fees,
       coalesce(sum(d.refunds), 0) AS refunds,
       coalesce(sum(d.cogs), 0) AS cogs,
       coalesce(sum(d.contribution_margin), 0) AS contribution_margin,
       coalesce(sum(d.adjustments), 0) AS adjustments,
       coalesce(sum(d.unallocated), 0) AS unallocated,
       coalesce(sum(d.net_proceeds), 0) AS net_proceeds,
       coalesce(sum(d.tax_collected + d.tax_refunded), 0) AS tax_net,
       coalesce(sum(d.units_shipped), 0)::bigint AS units_shipped,
       coalesce(sum(d.units_refunded), 0)::bigint AS units_refunded,
       o.orders_settled, o.units_without_cost, s.settlements, s.reconciled AS settlements_reconciled
FROM settlements s CROSS JOIN orders o LEFT JOIN days d ON true
GROUP BY o.orders_settled, o.units_without_cost, s.settlements, s.reconciled;
