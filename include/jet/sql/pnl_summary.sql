-- Totals of the settled P&L (for the run's receipt and the demo).
SELECT count(*) FILTER (WHERE actual_as_of IS NOT NULL) AS orders_settled,
       coalesce(sum(act_revenue + act_shipping_revenue), 0) AS revenue,
       coalesce(sum(act_variable_commission + act_fixed_commission + act_commission_refunded
                    + act_fulfillment_fees + act_return_charges + act_return_processing_fees), 0) AS fees,
       coalesce(sum(act_refunds), 0) AS refunds,
       coalesce(sum(act_cogs), 0) AS cogs,
       coalesce(sum(act_contribution_margin), 0) AS contribution_margin
FROM jet.order_pnl;
