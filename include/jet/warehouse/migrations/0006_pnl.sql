-- Per-order profit and loss (estimate at order time vs actual from settlement) and the
-- analysts' P&L, reconciliation, commission, cancellation and acknowledgement views.
--
-- Sign convention everywhere: amounts as they move the merchant's money (revenue
-- positive, commissions, fees and refunds negative), so a row's components add up to
-- its net proceeds. Cost of goods is a positive cost subtracted from the margin.
-- Tax is collected for the states and remitted: it passes through net proceeds but never
-- into the contribution margin.

CREATE TABLE jet.order_pnl (
    merchant_order_id          text PRIMARY KEY,
    in_warehouse               boolean        NOT NULL,
    order_placed_at            timestamptz,
    status                     text,
    units_ordered              integer        NOT NULL,
    units_shipped              integer        NOT NULL,
    units_refunded             integer        NOT NULL,
    -- estimate: from the order's own fee fields, at order time
    estimate_as_of             timestamptz,
    est_revenue                numeric(14, 2) NOT NULL,
    est_shipping_revenue       numeric(14, 2) NOT NULL,
    est_tax_collected          numeric(14, 2) NOT NULL,
    est_variable_commission    numeric(14, 2) NOT NULL,
    est_fixed_commission       numeric(14, 2) NOT NULL,
    est_fulfillment_fees       numeric(14, 2) NOT NULL,
    est_refunds                numeric(14, 2) NOT NULL,
    est_return_charges         numeric(14, 2) NOT NULL,
    est_return_processing_fees numeric(14, 2) NOT NULL,
    est_net_proceeds           numeric(14, 2) NOT NULL,
    est_cogs                   numeric(14, 2) NOT NULL,
    est_contribution_margin    numeric(14, 2) NOT NULL,
    -- actual: from the settlement lines naming the order
    actual_as_of               date,
    first_settled_on           date,
    settlements                integer        NOT NULL,
    act_revenue                numeric(14, 2) NOT NULL,
    act_shipping_revenue       numeric(14, 2) NOT NULL,
    act_tax_collected          numeric(14, 2) NOT NULL,
    act_tax_refunded           numeric(14, 2) NOT NULL,
    act_tax_remitted           numeric(14, 2) NOT NULL,
    act_variable_commission    numeric(14, 2) NOT NULL,
    act_fixed_commission       numeric(14, 2) NOT NULL,
    act_commission_refunded    numeric(14, 2) NOT NULL,
    act_fulfillment_fees       numeric(14, 2) NOT NULL,
    act_refunds                numeric(14, 2) NOT NULL,
    act_return_charges         numeric(14, 2) NOT NULL,
    act_return_processing_fees numeric(14, 2) NOT NULL,
    act_other_adjustments      numeric(14, 2) NOT NULL,
    act_net_proceeds           numeric(14, 2) NOT NULL,
    act_cogs                   numeric(14, 2) NOT NULL,
    act_contribution_margin    numeric(14, 2) NOT NULL,
    units_without_cost         integer        NOT NULL,
    computed_at                timestamptz    NOT NULL,
    run_key                    text           NOT NULL
);
CREATE INDEX order_pnl_actual_as_of_idx ON jet.order_pnl (actual_as_of);
COMMENT ON TABLE jet.order_pnl IS 'Per-order profit and loss: one row per order known to the warehouse or named by a settlement line. Key: merchant_order_id. est_* = what the order''s own fee fields said at order time (units ordered); act_* = what Jet settled (all settlement lines of the order, returns included). USD, signed as money moves; cogs positive. Rebuilt by jet_settlement (set-based), rows rewritten only when a figure changes.';
COMMENT ON COLUMN jet.order_pnl.in_warehouse IS 'False when a settlement names the order but jet.orders does not have it (estimate is then 0).';
COMMENT ON COLUMN jet.order_pnl.units_ordered IS 'Σ request_order_quantity over the order''s lines.';
COMMENT ON COLUMN jet.order_pnl.units_shipped IS 'Units Jet settled as shipped (order rows of the settlement lines).';
COMMENT ON COLUMN jet.order_pnl.units_refunded IS 'Units refunded (return rows: returns and merchant refunds).';
COMMENT ON COLUMN jet.order_pnl.estimate_as_of IS 'As-of time of the estimate: when the order was placed (its fee fields are Jet''s figures at order time).';
COMMENT ON COLUMN jet.order_pnl.est_revenue IS 'Σ unit_price × units ordered.';
COMMENT ON COLUMN jet.order_pnl.est_shipping_revenue IS 'Σ item_shipping_cost × units ordered (per-unit amounts, docs/sandbox.md §3).';
COMMENT ON COLUMN jet.order_pnl.est_tax_collected IS 'Σ (item_tax + item_shipping_tax) × units ordered.';
COMMENT ON COLUMN jet.order_pnl.est_variable_commission IS '−Σ fee_adjustments of type variable × units ordered.';
COMMENT ON COLUMN jet.order_pnl.est_fixed_commission IS '−Σ other fee_adjustments (base) × units ordered; −item_fees × units when the line has no fee_adjustments.';
COMMENT ON COLUMN jet.order_pnl.est_fulfillment_fees IS 'Always 0: an order carries no fulfillment fee field (Distributed-by-Jet fees are only known at settlement).';
COMMENT ON COLUMN jet.order_pnl.est_refunds IS 'Always 0 at order time.';
COMMENT ON COLUMN jet.order_pnl.est_return_charges IS 'Always 0 at order time.';
COMMENT ON COLUMN jet.order_pnl.est_return_processing_fees IS 'Always 0 at order time.';
COMMENT ON COLUMN jet.order_pnl.est_net_proceeds IS 'Estimated payout: revenue + shipping + tax + commissions (+ the zero fee estimates).';
COMMENT ON COLUMN jet.order_pnl.est_cogs IS 'Σ jet.products.unit_cost × units ordered (SKUs without a cost count 0: see units_without_cost).';
COMMENT ON COLUMN jet.order_pnl.est_contribution_margin IS 'est_net_proceeds − est_tax_collected − est_cogs.';
COMMENT ON COLUMN jet.order_pnl.actual_as_of IS 'As-of date of the actual figures: the latest settlement day with a line for the order (NULL = not settled yet).';
COMMENT ON COLUMN jet.order_pnl.first_settled_on IS 'First settlement day with a line for the order.';
COMMENT ON COLUMN jet.order_pnl.settlements IS 'Number of settlement reports with lines for the order.';
COMMENT ON COLUMN jet.order_pnl.act_revenue IS 'merchant_price of the order rows: product revenue of units shipped.';
COMMENT ON COLUMN jet.order_pnl.act_shipping_revenue IS 'shipping_revenue of every row.';
COMMENT ON COLUMN jet.order_pnl.act_tax_collected IS 'tax + shipping_tax of the order rows.';
COMMENT ON COLUMN jet.order_pnl.act_tax_refunded IS 'tax + shipping_tax of the return rows (negative).';
COMMENT ON COLUMN jet.order_pnl.act_tax_remitted IS 'Tax the merchant owes the states: −(collected + refunded).';
COMMENT ON COLUMN jet.order_pnl.act_variable_commission IS 'jet_variable_commission of the order rows (negative).';
COMMENT ON COLUMN jet.order_pnl.act_fixed_commission IS 'fixed_commission of the order rows (negative).';
COMMENT ON COLUMN jet.order_pnl.act_commission_refunded IS 'Commissions Jet gave back on returns and refunds (positive).';
COMMENT ON COLUMN jet.order_pnl.act_fulfillment_fees IS 'shipping_charge + fulfillment_fee + product_cost of every row (Distributed-by-Jet charges).';
COMMENT ON COLUMN jet.order_pnl.act_refunds IS 'merchant_price of the return rows: principal and shipping refunded (negative).';
COMMENT ON COLUMN jet.order_pnl.act_return_charges IS 'merchant_return_charge of every row (negative).';
COMMENT ON COLUMN jet.order_pnl.act_return_processing_fees IS 'return_processing_fee of every row (negative).';
COMMENT ON COLUMN jet.order_pnl.act_other_adjustments IS 'jet_adjustment on rows naming the order (normally 0: adjustments are not tied to orders).';
COMMENT ON COLUMN jet.order_pnl.act_net_proceeds IS 'What Jet paid for the order: Σ line_total of its settlement lines = Σ of the act_* components above (tax included).';
COMMENT ON COLUMN jet.order_pnl.act_cogs IS 'Σ jet.products.unit_cost × units shipped (cost positive; returned units are not credited back).';
COMMENT ON COLUMN jet.order_pnl.act_contribution_margin IS 'act_net_proceeds + act_tax_remitted − act_cogs.';
COMMENT ON COLUMN jet.order_pnl.units_without_cost IS 'Units (ordered or shipped, whichever is larger) whose SKU has no unit_cost in jet.products: COGS is understated by them.';
COMMENT ON COLUMN jet.order_pnl.computed_at IS 'Logical time of the run that computed the current figures (UTC); unchanged when a re-run finds the same.';

CREATE VIEW analytics.order_pnl AS
SELECT p.merchant_order_id, p.in_warehouse, p.order_placed_at, p.status,
       p.units_ordered, p.units_shipped, p.units_refunded,
       p.estimate_as_of, p.actual_as_of, p.first_settled_on, p.actual_as_of IS NOT NULL AS settled,
       p.est_revenue, p.act_revenue,
       p.est_shipping_revenue, p.act_shipping_revenue,
       p.est_tax_collected, p.act_tax_collected, p.act_tax_refunded, p.act_tax_remitted,
       p.est_variable_commission, p.act_variable_commission,
       p.est_fixed_commission, p.act_fixed_commission, p.act_commission_refunded,
       p.est_fulfillment_fees, p.act_fulfillment_fees,
       p.est_refunds, p.act_refunds,
       p.est_return_charges, p.act_return_charges,
       p.est_return_processing_fees, p.act_return_processing_fees,
       p.act_other_adjustments,
       p.est_net_proceeds, p.act_net_proceeds,
       p.est_cogs, p.act_cogs,
       p.est_contribution_margin, p.act_contribution_margin,
       p.act_revenue - p.est_revenue AS revenue_drift,
       (p.act_variable_commission + p.act_fixed_commission)
           - (p.est_variable_commission + p.est_fixed_commission) AS commission_drift,
       p.act_contribution_margin - p.est_contribution_margin AS margin_drift,
       p.units_without_cost
FROM jet.order_pnl p;
COMMENT ON VIEW analytics.order_pnl IS 'Per-order P&L for analysts: estimate (est_*, from the order at order time, as of estimate_as_of) beside actual (act_*, from settlement, as of actual_as_of) and the drift between them. Key: merchant_order_id. USD, signed as money moves; cogs positive.';

-- Settlement lines with the cost of the units they ship: the base of the P&L views.
CREATE VIEW analytics.pnl_lines AS
SELECT l.settlement_report_id, r.settlement_date, l.line_no, l.transaction_type, l.merchant_order_id,
       l.merchant_sku,
       CASE WHEN l.transaction_type = 'order' THEN l.quantity ELSE 0 END AS units_shipped,
       CASE WHEN l.transaction_type = 'return' THEN l.quantity ELSE 0 END AS units_refunded,
       CASE WHEN l.transaction_type = 'order' THEN l.merchant_price ELSE 0 END AS revenue,
       l.shipping_revenue,
       CASE WHEN l.transaction_type = 'order' THEN l.tax + l.shipping_tax ELSE 0 END AS tax_collected,
       CASE WHEN l.transaction_type = 'order' THEN 0 ELSE l.tax + l.shipping_tax END AS tax_refunded,
       CASE WHEN l.transaction_type = 'order' THEN l.jet_variable_commission ELSE 0 END AS variable_commission,
       CASE WHEN l.transaction_type = 'order' THEN l.fixed_commission ELSE 0 END AS fixed_commission,
       CASE WHEN l.transaction_type = 'order' THEN 0
            ELSE l.jet_variable_commission + l.fixed_commission END AS commission_refunded,
       l.shipping_charge + l.fulfillment_fee + l.product_cost AS fulfillment_fees,
       CASE WHEN l.transaction_type = 'order' THEN 0 ELSE l.merchant_price END AS refunds,
       l.merchant_return_charge AS return_charges,
       l.return_processing_fee AS return_processing_fees,
       CASE WHEN l.transaction_type = 'unallocated' THEN 0 ELSE l.jet_adjustment END AS adjustments,
       CASE WHEN l.transaction_type = 'unallocated' THEN l.line_total ELSE 0 END AS unallocated,
       l.line_total AS net_proceeds,
       CASE WHEN l.transaction_type = 'order' THEN l.quantity * coalesce(p.unit_cost, 0) ELSE 0 END AS cogs
FROM jet.settlement_lines l
JOIN jet.settlement_reports r USING (settlement_report_id)
LEFT JOIN jet.products p ON p.sku = l.merchant_sku;
COMMENT ON VIEW analytics.pnl_lines IS 'Every settlement line split into P&L categories (the same split as jet.order_pnl''s act_* columns) with the cost of the units it ships. Key: (settlement_report_id, line_no). For a line, net_proceeds = revenue + shipping_revenue + tax_collected + tax_refunded + commissions + commission_refunded + fulfillment_fees + refunds + return_charges + return_processing_fees + adjustments + unallocated.';

CREATE VIEW analytics.pnl_daily AS
SELECT settlement_date AS day,
       count(DISTINCT settlement_report_id) AS settlements,
       count(DISTINCT merchant_order_id) AS orders,
       sum(units_shipped) AS units_shipped, sum(units_refunded) AS units_refunded,
       sum(revenue) AS revenue, sum(shipping_revenue) AS shipping_revenue,
       sum(tax_collected) AS tax_collected, sum(tax_refunded) AS tax_refunded,
       -(sum(tax_collected) + sum(tax_refunded)) AS tax_remitted,
       sum(variable_commission) AS variable_commission, sum(fixed_commission) AS fixed_commission,
       sum(commission_refunded) AS commission_refunded, sum(fulfillment_fees) AS fulfillment_fees,
       sum(refunds) AS refunds, sum(return_charges) AS return_charges,
       sum(return_processing_fees) AS return_processing_fees,
       sum(adjustments) AS adjustments, sum(unallocated) AS unallocated,
       sum(net_proceeds) AS net_proceeds, sum(cogs) AS cogs,
       sum(net_proceeds) - sum(tax_collected) - sum(tax_refunded) - sum(cogs) AS contribution_margin
FROM analytics.pnl_lines
GROUP BY settlement_date;
COMMENT ON VIEW analytics.pnl_daily IS 'P&L per settlement day (the day Jet settled the money, UTC). Key: day. net_proceeds = Σ settlement_value of the day''s reports (adjustments and unallocated included); contribution_margin = net_proceeds − tax (collected and remitted) − cost of goods shipped. USD.';

CREATE VIEW analytics.pnl_monthly AS
SELECT date_trunc('month', day)::date AS month,
       sum(settlements) AS settlements, sum(units_shipped) AS units_shipped, sum(units_refunded) AS units_refunded,
       sum(revenue) AS revenue, sum(shipping_revenue) AS shipping_revenue,
       sum(tax_collected) AS tax_collected, sum(tax_refunded) AS tax_refunded, sum(tax_remitted) AS tax_remitted,
       sum(variable_commission) AS variable_commission, sum(fixed_commission) AS fixed_commission,
       sum(commission_refunded) AS commission_refunded, sum(fulfillment_fees) AS fulfillment_fees,
       sum(refunds) AS refunds, sum(return_charges) AS return_charges,
       sum(return_processing_fees) AS return_processing_fees,
       sum(adjustments) AS adjustments, sum(unallocated) AS unallocated,
       sum(net_proceeds) AS net_proceeds, sum(cogs) AS cogs, sum(contribution_margin) AS contribution_margin
FROM analytics.pnl_daily
GROUP BY 1;
COMMENT ON VIEW analytics.pnl_monthly IS 'P&L per calendar month of settlement (UTC), the sum of analytics.pnl_daily. Key: month (first day of the month). USD.';

CREATE VIEW analytics.pnl_by_sku AS
SELECT date_trunc('month', settlement_date)::date AS month, merchant_sku,
       count(DISTINCT merchant_order_id) AS orders,
       sum(units_shipped) AS units_shipped, sum(units_refunded) AS units_refunded,
       sum(revenue) AS revenue, sum(shipping_revenue) AS shipping_revenue,
       sum(variable_commission) + sum(fixed_commission) AS commissions,
       sum(commission_refunded) AS commission_refunded, sum(fulfillment_fees) AS fulfillment_fees,
       sum(refunds) AS refunds, sum(return_charges) + sum(return_processing_fees) AS return_fees,
       sum(tax_collected) + sum(tax_refunded) AS tax_net,
       sum(net_proceeds) AS net_proceeds, sum(cogs) AS cogs,
       sum(net_proceeds) - sum(tax_collected) - sum(tax_refunded) - sum(cogs) AS contribution_margin
FROM analytics.pnl_lines
WHERE merchant_sku IS NOT NULL AND merchant_sku <> ''
GROUP BY 1, 2;
COMMENT ON VIEW analytics.pnl_by_sku IS 'P&L per SKU per settlement month: units, revenue, commissions, refunds, fees, cost of goods and contribution margin of the order and return lines of that SKU. Key: (month, merchant_sku). USD.';

CREATE VIEW analytics.commission_discrepancies AS
WITH rates AS (
    SELECT i.merchant_order_id, i.order_item_id, i.merchant_sku,
           coalesce(sum((e->>'value')::numeric) FILTER (WHERE e->>'adjustment_type' = 'variable'), 0)
               AS variable_per_unit,
           CASE WHEN jsonb_array_length(i.fee_adjustments) = 0 THEN coalesce(i.item_fees, 0)
                ELSE coalesce(sum((e->>'value')::numeric)
                              FILTER (WHERE coalesce(e->>'adjustment_type', '') <> 'variable'), 0)
           END AS fixed_per_unit
    FROM jet.order_items i
    LEFT JOIN LATERAL jsonb_array_elements(i.fee_adjustments) e ON true
    GROUP BY i.merchant_order_id, i.order_item_id, i.merchant_sku, i.fee_adjustments, i.item_fees
),
checked AS (
    SELECT l.settlement_report_id, r.settlement_date, l.line_no, l.merchant_order_id, l.order_item_id,
           l.merchant_sku, l.quantity,
           l.jet_variable_commission AS charged_variable, l.fixed_commission AS charged_fixed,
           -(rt.variable_per_unit * l.quantity) AS expected_variable,
           -(rt.fixed_per_unit * l.quantity) AS expected_fixed
    FROM jet.settlement_lines l
    JOIN jet.settlement_reports r USING (settlement_report_id)
    LEFT JOIN rates rt USING (merchant_order_id, order_item_id)
    WHERE l.transaction_type = 'order'
)
SELECT settlement_report_id, settlement_date, line_no, merchant_order_id, order_item_id, merchant_sku, quantity,
       charged_variable, expected_variable, charged_fixed, expected_fixed,
       (charged_variable + charged_fixed) - (expected_variable + expected_fixed) AS difference,
       expected_variable IS NULL AS order_line_missing
FROM checked
WHERE expected_variable IS NULL
   OR charged_variable <> expected_variable
   OR charged_fixed <> expected_fixed;
COMMENT ON VIEW analytics.commission_discrepancies IS 'Order lines where the commission Jet charged in settlement differs from the rate on the order (fee_adjustments per unit × units settled), or whose order line the warehouse lacks. Key: (settlement_report_id, line_no). Charged and expected are negative (money to Jet); difference < 0 means Jet charged more. Empty = every commission matches.';

CREATE VIEW analytics.cancellation_rate AS
WITH lines AS (
    SELECT merchant_order_id, sum(quantity) AS units_ordered
    FROM jet.order_items GROUP BY 1
),
cancelled AS (
    SELECT merchant_order_id, sum(cancelled_qty) AS units_cancelled, sum(shipped_qty) AS units_shipped
    FROM jet.order_shipments GROUP BY 1
),
orders AS (
    SELECT o.merchant_order_id, (o.order_placed_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(l.units_ordered, 0) AS units_ordered,
           CASE WHEN o.acknowledgement_status LIKE 'rejected%'
                     OR coalesce(o.exception_state LIKE '%manual cancel%', false)
                THEN coalesce(l.units_ordered, 0)
                ELSE least(coalesce(c.units_cancelled, 0), coalesce(l.units_ordered, 0)) END AS units_cancelled,
           o.acknowledgement_status LIKE 'rejected%' AS rejected,
           -- Jet withdraws an order not acknowledged in time: 'exception - jet manual canceled to complete state'.
           coalesce(o.exception_state LIKE '%manual cancel%', false) AS withdrawn
    FROM jet.orders o
    LEFT JOIN lines l USING (merchant_order_id)
    LEFT JOIN cancelled c USING (merchant_order_id)
)
SELECT day,
       count(*) AS orders,
       count(*) FILTER (WHERE units_cancelled > 0 AND units_cancelled >= units_ordered) AS orders_cancelled,
       count(*) FILTER (WHERE rejected) AS orders_rejected,
       count(*) FILTER (WHERE withdrawn) AS orders_withdrawn,
       count(*) FILTER (WHERE units_cancelled > 0 AND units_cancelled < units_ordered) AS orders_partly_cancelled,
       sum(units_ordered) AS units_ordered,
       sum(units_cancelled) AS units_cancelled,
       round(count(*) FILTER (WHERE units_cancelled > 0 AND units_cancelled >= units_ordered)::numeric
             / nullif(count(*), 0), 4) AS order_cancellation_rate,
       round(sum(units_cancelled)::numeric / nullif(sum(units_ordered), 0), 4) AS unit_cancellation_rate
FROM orders
GROUP BY day;
COMMENT ON VIEW analytics.cancellation_rate IS 'Cancellations per day of order placement (UTC): orders wholly cancelled (rejected by us, withdrawn by Jet after the acknowledgement window, or every unit cancelled at shipment), partly cancelled, and the order and unit cancellation rates. Key: day.';

CREATE VIEW analytics.ack_latency AS
SELECT (ready_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS orders_ready,
       count(acknowledged_at) AS orders_acknowledged,
       count(*) FILTER (WHERE acknowledged_at IS NOT NULL
                          AND acknowledged_at - ready_at <= interval '15 minutes') AS within_window,
       count(*) FILTER (WHERE acknowledged_at IS NULL OR acknowledged_at - ready_at > interval '15 minutes')
           AS missed_window,
       round(avg(extract(epoch FROM acknowledged_at - ready_at))::numeric, 1) AS avg_seconds,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - ready_at)))::numeric, 1)
           AS p50_seconds,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - ready_at)))::numeric, 1)
           AS p95_seconds,
       round(max(extract(epoch FROM acknowledged_at - ready_at))::numeric, 1) AS max_seconds
FROM jet.orders
WHERE ready_at IS NOT NULL
GROUP BY 1;
COMMENT ON VIEW analytics.ack_latency IS 'Acknowledgement latency per day the orders became ready (UTC): seconds from Jet''s order_ready_date to order_acknowledge_date (accepted or rejected), average, median, p95, max, and how many were answered within Jet''s 15-minute window. Orders never acknowledged count as missed. Key: day.';
