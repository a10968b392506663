-- Compute jet.order_pnl in one set-based statement: the estimate from each order's own
-- lines and fee fields, the actual from every settlement line naming the order. A row is
-- rewritten only when a figure changes, so a re-run changes nothing.
--
-- %(full)s true: every order (the full rebuild). false: only the orders in the temp
-- table pnl_scope (the incremental refresh). The value is bound, and PostgreSQL folds
-- "true OR ..." away when it plans the statement, so each mode gets its own plan: scans
-- and hash joins for the rebuild, index lookups per scoped order for the refresh. Both
-- modes run this same text, which is what makes them give the same rows.
WITH orders AS (
    SELECT o.merchant_order_id, o.order_placed_at, o.status
    FROM jet.orders o
    WHERE %(full)s OR o.merchant_order_id = ANY (ARRAY(SELECT merchant_order_id FROM pnl_scope))
),
item_rates AS (
    SELECT i.merchant_order_id, i.merchant_sku, i.quantity, i.unit_price, i.item_tax, i.item_shipping_cost,
           i.item_shipping_tax,
           coalesce(f.variable_per_unit, 0) AS variable_per_unit,
           CASE WHEN jsonb_array_length(i.fee_adjustments) = 0 THEN coalesce(i.item_fees, 0)
                ELSE coalesce(f.fixed_per_unit, 0) END AS fixed_per_unit
    FROM jet.order_items i
    LEFT JOIN LATERAL (
        SELECT sum((e->>'value')::numeric) FILTER (WHERE e->>'adjustment_type' = 'variable') AS variable_per_unit,
               sum((e->>'value')::numeric) FILTER (WHERE coalesce(e->>'adjustment_type', '') <> 'variable')
                   AS fixed_per_unit
        FROM jsonb_array_elements(i.fee_adjustments) e
    ) f ON true
    WHERE %(full)s OR i.merchant_order_id = ANY (ARRAY(SELECT merchant_order_id FROM pnl_scope))
),
est AS (
    SELECT r.merchant_order_id,
           sum(r.quantity) AS units_ordered,
           sum(r.quantity * coalesce(r.unit_price, 0)) AS revenue,
           sum(r.quantity * coalesce(r.item_shipping_cost, 0)) AS shipping_revenue,
           sum(r.quantity * (coalesce(r.item_tax, 0) + coalesce(r.item_shipping_tax, 0))) AS tax_collected,
           -sum(r.quantity * r.variable_per_unit) AS variable_commission,
           -sum(r.quantity * r.fixed_per_unit) AS fixed_commission,
           sum(r.quantity * coalesce(p.unit_cost, 0)) AS cogs,
           coalesce(sum(r.quantity) FILTER (WHERE p.sku IS NULL), 0) AS units_without_cost
    FROM item_rates r
    LEFT JOIN jet.products p ON p.sku = r.merchant_sku
    GROUP BY r.merchant_order_id
),
act AS (
    SELECT l.merchant_order_id,
           coalesce(sum(l.quantity) FILTER (WHERE l.transaction_type = 'order'), 0) AS units_shipped,
           coalesce(sum(l.quantity) FILTER (WHERE l.transaction_type = 'return'), 0) AS units_refunded,
           max(r.settlement_date) AS actual_as_of,
           min(r.settlement_date) AS first_settled_on,
           count(DISTINCT l.settlement_report_id) AS settlements,
           coalesce(sum(l.merchant_price) FILTER (WHERE l.transaction_type = 'order'), 0) AS revenue,
           sum(l.shipping_revenue) AS shipping_revenue,
           coalesce(sum(l.tax + l.shipping_tax) FILTER (WHERE l.transaction_type = 'order'), 0) AS tax_collected,
           coalesce(sum(l.tax + l.shipping_tax) FILTER (WHERE l.transaction_type <> 'order'), 0) AS tax_refunded,
           coalesce(sum(l.jet_variable_commission) FILTER (WHERE l.transaction_type = 'order'), 0)
               AS variable_commission,
           coalesce(sum(l.fixed_commission) FILTER (WHERE l.transaction_type = 'order'), 0) AS fixed_commission,
           coalesce(sum(l.jet_variable_commission + l.fixed_commission) FILTER (WHERE l.transaction_type <> 'order'), 0)
               AS commission_refunded,
           sum(l.shipping_charge + l.fulfillment_fee + l.product_cost) AS fulfillment_fees,
           coalesce(sum(l.merchant_price) FILTER (WHERE l.transaction_type <> 'order'), 0) AS refunds,
           sum(l.merchant_return_charge) AS return_charges,
           sum(l.return_processing_fee) AS return_processing_fees,
           sum(l.jet_adjustment) AS other_adjustments,
           sum(l.line_total) AS net_proceeds,
           coalesce(sum(l.quantity * p.unit_cost) FILTER (WHERE l.transaction_type = 'order'), 0) AS cogs,
           coalesce(sum(l.quantity) FILTER (WHERE l.transaction_type = 'order' AND p.sku IS NULL), 0)
               AS units_without_cost
    FROM jet.settlement_lines l
    JOIN jet.settlement_reports r USING (settlement_report_id)
    LEFT JOIN jet.products p ON p.sku = l.merchant_sku
    WHERE l.merchant_order_id IS NOT NULL
      AND (%(full)s OR l.merchant_order_id = ANY (ARRAY(SELECT merchant_order_id FROM pnl_scope)))
    GROUP BY l.merchant_order_id
),
pnl AS (
    SELECT coalesce(o.merchant_order_id, a.merchant_order_id) AS merchant_order_id,
           o.merchant_order_id IS NOT NULL AS in_warehouse,
           o.order_placed_at, o.status,
           coalesce(e.units_ordered, 0)::integer AS units_ordered,
           coalesce(a.units_shipped, 0)::integer AS units_shipped,
           coalesce(a.units_refunded, 0)::integer AS units_refunded,
           o.order_placed_at AS estimate_as_of,
           coalesce(e.revenue, 0) AS est_revenue,
           coalesce(e.shipping_revenue, 0) AS est_shipping_revenue,
           coalesce(e.tax_collected, 0) AS est_tax_collected,
           coalesce(e.variable_commission, 0) AS est_variable_commission,
           coalesce(e.fixed_commission, 0) AS est_fixed_commission,
           coalesce(e.cogs, 0) AS est_cogs,
           a.actual_as_of, a.first_settled_on,
           coalesce(a.settlements, 0)::integer AS settlements,
           coalesce(a.revenue, 0) AS act_revenue,
           coalesce(a.shipping_revenue, 0) AS act_shipping_revenue,
           coalesce(a.tax_collected, 0) AS act_tax_collected,
           coalesce(a.tax_refunded, 0) AS act_tax_refunded,
           coalesce(a.variable_commission, 0) AS act_variable_commission,
           coalesce(a.fixed_commission, 0) AS act_fixed_commission,
           coalesce(a.commission_refunded, 0) AS act_commission_refunded,
           coalesce(a.fulfillment_fees, 0) AS act_fulfillment_fees,
           coalesce(a.refunds, 0) AS act_refunds,
           coalesce(a.return_charges, 0) AS act_return_charges,
           coalesce(a.return_processing_fees, 0) AS act_return_processing_fees,
           coalesce(a.other_adjustments, 0) AS act_other_adjustments,
           coalesce(a.net_proceeds, 0) AS act_net_proceeds,
           coalesce(a.cogs, 0) AS act_cogs,
           greatest(coalesce(e.units_without_cost, 0), coalesce(a.units_without_cost, 0))::integer
               AS units_without_cost
    FROM orders o
    LEFT JOIN est e ON e.merchant_order_id = o.merchant_order_id
    FULL JOIN act a ON a.merchant_order_id = o.merchant_order_id
)
INSERT INTO jet.order_pnl AS t (
    merchant_order_id, in_warehouse, order_placed_at, status, units_ordered, units_shipped, units_refunded,
    estimate_as_of, est_revenue, est_shipping_revenue, est_tax_collected, est_variable_commission,
    est_fixed_commission, est_fulfillment_fees, est_refunds, est_return_charges, est_return_processing_fees,
    est_net_proceeds, est_cogs, est_contribution_margin,
    actual_as_of, first_settled_on, settlements, act_revenue, act_shipping_revenue, act_tax_collected,
    act_tax_refunded, act_tax_remitted, act_variable_commission, act_fixed_commission, act_commission_refunded,
    act_fulfillment_fees, act_refunds, act_return_charges, act_return_processing_fees, act_other_adjustments,
    act_net_proceeds, act_cogs, act_contribution_margin, units_without_cost, computed_at, run_key
)
SELECT merchant_order_id, in_warehouse, order_placed_at, status, units_ordered, units_shipped, units_refunded,
       estimate_as_of, est_revenue, est_shipping_revenue, est_tax_collected, est_variable_commission,
       est_fixed_commission, 0, 0, 0, 0,
       est_revenue + est_shipping_revenue + est_tax_collected + est_variable_commission + est_fixed_commission,
       est_cogs,
       est_revenue + est_shipping_revenue + est_variable_commission + est_fixed_commission - est_cogs,
       actual_as_of, first_settled_on, settlements, act_revenue, act_shipping_revenue, act_tax_collected,
       act_tax_refunded, -(act_tax_collected + act_tax_refunded), act_variable_commission, act_fixed_commission,
       act_commission_refunded, act_fulfillment_fees, act_refunds, act_return_charges, act_return_processing_fees,
       act_other_adjustments, act_net_proceeds, act_cogs,
       act_net_proceeds - act_tax_collected - act_tax_refunded - act_cogs,
       units_without_cost, %(observed_at)s, %(run_key)s
FROM pnl
ON CONFLICT (merchant_order_id) DO UPDATE SET
    in_warehouse = EXCLUDED.in_warehouse,
    order_placed_at = EXCLUDED.order_placed_at,
    status = EXCLUDED.status,
    units_ordered = EXCLUDED.units_ordered,
    units_shipped = EXCLUDED.units_shipped,
    units_refunded = EXCLUDED.units_refunded,
    estimate_as_of = EXCLUDED.estimate_as_of,
    est_revenue = EXCLUDED.est_revenue,
    est_shipping_revenue = EXCLUDED.est_shipping_revenue,
    est_tax_collected = EXCLUDED.est_tax_collected,
    est_variable_commission = EXCLUDED.est_variable_commission,
    est_fixed_commission = EXCLUDED.est_fixed_commission,
    est_fulfillment_fees = EXCLUDED.est_fulfillment_fees,
    est_refunds = EXCLUDED.est_refunds,
    est_return_charges = EXCLUDED.est_return_charges,
    est_return_processing_fees = EXCLUDED.est_return_processing_fees,
    est_net_proceeds = EXCLUDED.est_net_proceeds,
    est_cogs = EXCLUDED.est_cogs,
    est_contribution_margin = EXCLUDED.est_contribution_margin,
    actual_as_of = EXCLUDED.actual_as_of,
    first_settled_on = EXCLUDED.first_settled_on,
    settlements = EXCLUDED.settlements,
    act_revenue = EXCLUDED.act_revenue,
    act_shipping_revenue = EXCLUDED.act_shipping_revenue,
    act_tax_collected = EXCLUDED.act_tax_collected,
    act_tax_refunded = EXCLUDED.act_tax_refunded,
    act_tax_remitted = EXCLUDED.act_tax_remitted,
    act_variable_commission = EXCLUDED.act_variable_commission,
    act_fixed_commission = EXCLUDED.act_fixed_commission,
    act_commission_refunded = EXCLUDED.act_commission_refunded,
    act_fulfillment_fees = EXCLUDED.act_fulfillment_fees,
    act_refunds = EXCLUDED.act_refunds,
    act_return_charges = EXCLUDED.act_return_charges,
    act_return_processing_fees = EXCLUDED.act_return_processing_fees,
    act_other_adjustments = EXCLUDED.act_other_adjustments,
    act_net_proceeds = EXCLUDED.act_net_proceeds,
    act_cogs = EXCLUDED.act_cogs,
    act_contribution_margin = EXCLUDED.act_contribution_margin,
    units_without_cost = EXCLUDED.units_without_cost,
    computed_at = EXCLUDED.computed_at,
    run_key = EXCLUDED.run_key
 WHERE (t.in_warehouse, t.order_placed_at, t.status, t.units_ordered, t.units_shipped, t.units_refunded,
        t.estimate_as_of, t.est_revenue, t.est_shipping_revenue, t.est_tax_collected, t.est_variable_commission,
        t.est_fixed_commission, t.est_net_proceeds, t.est_cogs, t.est_contribution_margin,
        t.actual_as_of, t.first_settled_on, t.settlements, t.act_revenue, t.act_shipping_revenue,
        t.act_tax_collected, t.act_tax_refunded, t.act_tax_remitted, t.act_variable_commission,
        t.act_fixed_commission, t.act_commission_refunded, t.act_fulfillment_fees, t.act_refunds,
        t.act_return_charges, t.act_return_processing_fees, t.act_other_adjustments, t.act_net_proceeds,
        t.act_cogs, t.act_contribution_margin, t.units_without_cost)
       IS DISTINCT FROM
       (EXCLUDED.in_warehouse, EXCLUDED.order_placed_at, EXCLUDED.status, EXCLUDED.units_ordered,
        EXCLUDED.units_shipped, EXCLUDED.units_refunded, EXCLUDED.estimate_as_of, EXCLUDED.est_revenue,
        EXCLUDED.est_shipping_revenue, EXCLUDED.est_tax_collected, EXCLUDED.est_variable_commission,
        EXCLUDED.est_fixed_commission, EXCLUDED.est_net_proceeds, EXCLUDED.est_cogs,
        EXCLUDED.est_contribution_margin, EXCLUDED.actual_as_of, EXCLUDED.first_settled_on, EXCLUDED.settlements,
        EXCLUDED.act_revenue, EXCLUDED.act_shipping_revenue, EXCLUDED.act_tax_collected, EXCLUDED.act_tax_refunded,
        EXCLUDED.act_tax_remitted, EXCLUDED.act_variable_commission, EXCLUDED.act_fixed_commission,
        EXCLUDED.act_commission_refunded, EXCLUDED.act_fulfillment_fees, EXCLUDED.act_refunds,
        EXCLUDED.act_return_charges, EXCLUDED.act_return_processing_fees, EXCLUDED.act_other_adjustments,
        EXCLUDED.act_net_proceeds, EXCLUDED.act_cogs, EXCLUDED.act_contribution_margin,
        EXCLUDED.units_without_cost);
