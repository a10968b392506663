-- Views for the P&L report (jet_report), which analysts can query the same way:
--
-- 1. analytics.pnl_lines no longer counts an unallocated line twice. Its categories
--    (refunds, commissions refunded, fees, ...) took an unallocated line's amounts as if
--    it were a return, and its unallocated column took them again, so the categories of
--    a settlement with an unallocated difference did not add up to its net proceeds, and
--    its refunds and tax looked larger than Jet's. An unallocated line now shows only in
--    unallocated (and net_proceeds): for every line, net_proceeds = Σ categories + adjustments
--    + unallocated, and the report's headline identity holds to the cent:
--    contribution margin = revenue + fees + refunds + adjustments + unallocated − COGS.
--    pnl_daily, pnl_monthly and pnl_by_sku are built on it and follow.
--
-- 2. analytics.order_outcomes: how each order was answered and whether it was cancelled,
--    why. The report charts acknowledgement latency and cancellations by day and reason
--    from it. It reads Jet's record of the order (ready and acknowledgement times, Jet's
--    echo of our answer per line, the shipments and cancelled units Jet reports), our
--    decision (its outcome and first reason code) and our answer's outbox row (state and
--    attempts, through the decision), so a change of the decision or outbox tables is
--    fixed here, in one place. Per-order subqueries are LATERAL: a report over a month
--    reads that month's orders.

CREATE OR REPLACE VIEW analytics.pnl_lines AS
WITH lines AS (
    SELECT l.*, r.settlement_date, l.transaction_type = 'unallocated' AS is_unallocated,
           l.transaction_type = 'order' AS is_order
    FROM jet.settlement_lines l
    JOIN jet.settlement_reports r USING (settlement_report_id)
)
SELECT l.settlement_report_id, l.settlement_date, l.line_no, l.transaction_type, l.merchant_order_id,
       l.merchant_sku,
       CASE WHEN l.is_order THEN l.quantity ELSE 0 END AS units_shipped,
       CASE WHEN l.transaction_type = 'return' THEN l.quantity ELSE 0 END AS units_refunded,
       CASE WHEN l.is_order THEN l.merchant_price ELSE 0 END AS revenue,
       (CASE WHEN l.is_unallocated THEN 0 ELSE l.shipping_revenue END)::numeric(14, 2) AS shipping_revenue,
       CASE WHEN l.is_order THEN l.tax + l.shipping_tax ELSE 0 END AS tax_collected,
       CASE WHEN l.is_order OR l.is_unallocated THEN 0 ELSE l.tax + l.shipping_tax END AS tax_refunded,
       CASE WHEN l.is_order THEN l.jet_variable_commission ELSE 0 END AS variable_commission,
       CASE WHEN l.is_order THEN l.fixed_commission ELSE 0 END AS fixed_commission,
       CASE WHEN l.is_order OR l.is_unallocated THEN 0
            ELSE l.jet_variable_commission + l.fixed_commission END AS commission_refunded,
       CASE WHEN l.is_unallocated THEN 0 ELSE l.shipping_charge + l.fulfillment_fee + l.product_cost END
           AS fulfillment_fees,
       CASE WHEN l.is_order OR l.is_unallocated THEN 0 ELSE l.merchant_price END AS refunds,
       (CASE WHEN l.is_unallocated THEN 0 ELSE l.merchant_return_charge END)::numeric(14, 2) AS return_charges,
       (CASE WHEN l.is_unallocated THEN 0 ELSE l.return_processing_fee END)::numeric(14, 2) AS return_processing_fees,
       CASE WHEN l.is_unallocated THEN 0 ELSE l.jet_adjustment END AS adjustments,
       CASE WHEN l.is_unallocated THEN l.line_total ELSE 0 END AS unallocated,
       l.line_total AS net_proceeds,
       CASE WHEN l.is_order THEN l.quantity * coalesce(p.unit_cost, 0) ELSE 0 END AS cogs
FROM lines l
LEFT JOIN jet.products p ON p.sku = l.merchant_sku;
COMMENT ON VIEW analytics.pnl_lines IS 'Every settlement line split into P&L categories (the same split as jet.order_pnl''s act_* columns) with the cost of the units it ships. Key: (settlement_report_id, line_no). For every line, net_proceeds = revenue + shipping_revenue + tax_collected + tax_refunded + commissions + commission_refunded + fulfillment_fees + refunds + return_charges + return_processing_fees + adjustments + unallocated; an unallocated line (a difference the reconciliation booked) has every category 0 and its whole amount in unallocated.';

CREATE VIEW analytics.order_outcomes AS
SELECT o.merchant_order_id, o.reference_order_id,
       (o.order_placed_at AT TIME ZONE 'UTC')::date AS placed_on,
       o.order_placed_at, o.ready_at, o.acknowledged_at, o.acknowledgement_status, o.status, o.exception_state,
       round(extract(epoch FROM o.acknowledged_at - o.ready_at)::numeric, 1) AS ack_seconds,
       coalesce(o.acknowledged_at - o.ready_at <= interval '15 minutes', false) AS within_window,
       d.outcome AS decision, d.reasons[1] AS decision_reason, d.decided_at,
       a.state AS answer_state, a.attempts AS answer_attempts,
       l.units_ordered, coalesce(s.units_shipped, 0) AS units_shipped, coalesce(s.units_cancelled, 0) AS units_cancelled,
       CASE
           -- Jet cancels an order left unacknowledged past its window ('jet manual canceled').
           WHEN o.exception_state LIKE '%manual cancel%' THEN 'withdrawn'
           WHEN o.acknowledgement_status LIKE 'rejected%' THEN 'rejected'
           WHEN l.units_ordered > 0 AND coalesce(s.units_cancelled, 0) >= l.units_ordered THEN 'cancelled'
           WHEN coalesce(s.units_cancelled, 0) > 0 THEN 'partly cancelled'
       END AS cancellation,
       CASE
           WHEN o.exception_state LIKE '%manual cancel%' THEN 'not acknowledged in time'
           WHEN o.acknowledgement_status LIKE 'rejected%' THEN
               CASE
                   WHEN d.outcome = 'hold' THEN 'by operator'
                   WHEN d.reasons[1] IS NOT NULL THEN lower(replace(d.reasons[1], '_', ' '))
                   -- Answered outside Jetflow: Jet's echo of the refused lines says why.
                   WHEN l.refusal LIKE '%invalid merchant sku%' THEN 'unknown sku'
                   WHEN l.refusal LIKE '%no inventory%' THEN 'no inventory'
                   ELSE 'rejected'
               END
           WHEN coalesce(s.units_cancelled, 0) > 0 THEN
               CASE WHEN o.jet_request_directed_cancel THEN 'at Jet''s request' ELSE 'at shipment' END
       END AS cancellation_reason
FROM jet.orders o
LEFT JOIN jet.decisions d ON d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run
LEFT JOIN LATERAL (
    SELECT x.state, x.attempts FROM jet.actions x WHERE x.decision_id = d.decision_id ORDER BY x.action_id LIMIT 1
) a ON true
CROSS JOIN LATERAL (
    SELECT coalesce(sum(i.quantity), 0)::integer AS units_ordered,
           lower(min(i.acknowledgement_status) FILTER (WHERE i.acknowledgement_status LIKE 'nonfulfillable%'))
               AS refusal
    FROM jet.order_items i WHERE i.merchant_order_id = o.merchant_order_id
) l
LEFT JOIN LATERAL (
    SELECT sum(sh.shipped_qty)::integer AS units_shipped, sum(sh.cancelled_qty)::integer AS units_cancelled
    FROM jet.order_shipments sh WHERE sh.merchant_order_id = o.merchant_order_id
) s ON true;
COMMENT ON VIEW analytics.order_outcomes IS 'How each order was answered and, if it was cancelled, why: one row per order in jet.orders. Key: merchant_order_id. Latency from Jet''s own times (ready -> acknowledged, accepted or rejected); cancellation is withdrawn (Jet cancelled it, unacknowledged past the 15-minute window), rejected (answered rejected: by Jetflow''s decision or otherwise), cancelled (acknowledged, every unit cancelled at shipment) or partly cancelled; NULL = not cancelled. Reasons come from Jetflow''s decision when it made one, else from Jet''s echo of the refused lines.';
COMMENT ON COLUMN analytics.order_outcomes.placed_on IS 'UTC day the order was placed (the day the report counts it on).';
COMMENT ON COLUMN analytics.order_outcomes.ack_seconds IS 'Seconds from Jet''s order_ready_date to its order_acknowledge_date; NULL when not acknowledged (yet).';
COMMENT ON COLUMN analytics.order_outcomes.within_window IS 'Acknowledged (accepted or rejected) within Jet''s 15 minutes of ready.';
COMMENT ON COLUMN analytics.order_outcomes.decision IS 'Outcome of Jetflow''s decision (jet.decisions.outcome, not dry run); NULL when Jetflow did not decide the order.';
COMMENT ON COLUMN analytics.order_outcomes.decision_reason IS 'The decision''s most decisive reason code (NO_INVENTORY, UNKNOWN_SKU, PARTIAL_STOCK, ...).';
COMMENT ON COLUMN analytics.order_outcomes.answer_state IS 'State of the outbox action that carried the decision to Jet (applied, unknown, failed, ...); NULL without one.';
COMMENT ON COLUMN analytics.order_outcomes.cancellation IS 'withdrawn, rejected, cancelled, partly cancelled, or NULL (not cancelled).';
COMMENT ON COLUMN analytics.order_outcomes.cancellation_reason IS 'Why: not acknowledged in time (withdrawn); no inventory, unknown sku, partial stock, archived sku (the decision''s reason, or Jet''s echo of the refused lines), by operator (a held order cancelled by hand), rejected (no reason known) for rejections; at shipment (by the merchant) or at Jet''s request for cancelled units.';
