-- One order's P&L: the estimate at order time beside what Jet settled (USD, signed as
-- money moves; cost of goods positive).
SELECT estimate_as_of, actual_as_of, settled, units_ordered, units_shipped, units_refunded,
       est_revenue, act_revenue, est_shipping_revenue, act_shipping_revenue, est_tax_collected, act_tax_collected,
       est_variable_commission, act_variable_commission, est_fixed_commission, act_fixed_commission,
       act_commission_refunded, est_fulfillment_fees, act_fulfillment_fees, est_refunds, act_refunds,
       est_return_charges, act_return_charges, est_return_processing_fees, act_return_processing_fees,
       act_other_adjustments, est_net_proceeds, act_net_proceeds, est_cogs, act_cogs,
       est_contribution_margin, act_contribution_margin, units_without_cost
FROM analytics.order_pnl
WHERE merchant_order_id = %(merchant_order_id)s;
