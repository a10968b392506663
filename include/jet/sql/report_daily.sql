-- Daily P&L of the settlement days first..last, every day present (0 when Jet settled
-- nothing that day), with the fees as a share of the day's revenue (NULL without revenue).
WITH calendar AS (
    SELECT g::date AS day FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') g
)
SELECT c.day,
       coalesce(d.revenue + d.shipping_revenue, 0) AS revenue,
       coalesce(d.variable_commission + d.fixed_commission + d.commission_refunded, 0) AS commissions,
       coalesce(d.fulfillment_fees + d.return_charges + d.return_processing_fees, 0) AS other_fees,
       coalesce(d.variable_commission + d.fixed_commission + d.commission_refunded + d.fulfillment_fees
                + d.return_charges + d.return_processing_fees, 0) AS fees,
       coalesce(d.refunds, 0) AS refunds,
       coalesce(d.cogs, 0) AS cogs,
       coalesce(d.adjustments + d.unallocated, 0) AS adjustments,
       coalesce(d.contribution_margin, 0) AS contribution_margin,
       round(-(d.variable_commission + d.fixed_commission + d.commission_refunded)
             / nullif(d.revenue + d.shipping_revenue, 0), 4) AS commission_share,
       round(-(d.fulfillment_fees + d.return_charges + d.return_processing_fees)
             / nullif(d.revenue + d.shipping_revenue, 0), 4) AS other_fee_share,
       round(-(d.variable_commission + d.fixed_commission + d.commission_refunded + d.fulfillment_fees
               + d.return_charges + d.return_processing_fees) / nullif(d.revenue + d.shipping_revenue, 0), 4)
           AS fee_share
FROM calendar c
LEFT JOIN analytics.pnl_daily d ON d.day = c.day
ORDER BY c.day;
