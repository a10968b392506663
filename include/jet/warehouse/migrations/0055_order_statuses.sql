-- One meaning for every internal order status, in one place.
--
-- Until now "cancelled" had three definitions: jet.order_status_map's CASE, the
-- cancellation-rate view's own (which counted our rejections as cancellations) and the
-- decisions view (which only saw cancels that had a decision). The rule now lives in
-- one function, jet.internal_status(), a pure function of what Jet shows and what we
-- did; jet.order_status_map feeds it the facts of every order, and every analytics view
-- that speaks of statuses reads jet.order_status_map. docs/statuses.md holds the same
-- rule as a table, and a test checks the function against that table.
--
-- Every cancel, whoever started it (the rules, an operator, Jet or the customer, the
-- warehouse), is a row of jet.order_cancellations, which answers "why was this order
-- cancelled?" in one query.

-- ---------------------------------------------------------------- the definition

CREATE FUNCTION jet.internal_status(
    p_jet_status text,
    p_exception_state text,
    p_acknowledgement_call text,
    p_held boolean,
    p_units_ordered integer,
    p_units_shipped integer,
    p_units_cancelled integer,
    p_returns integer,
    p_refunded boolean
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        -- Money went back to the customer: the last word on the order.
        WHEN coalesce(p_refunded, false) THEN 'refunded'
        WHEN coalesce(p_returns, 0) > 0 THEN 'returned'
        -- We declined the order at acknowledgement because stock was short. Jet files
        -- every declined acknowledgement under 'exception - order rejected'; only our
        -- own call tells a rejection from a cancel.
        WHEN p_acknowledgement_call = 'reject' THEN 'rejected'
        WHEN p_acknowledgement_call = 'cancel' THEN 'cancelled'
        WHEN p_exception_state = 'exception - order rejected' THEN 'rejected'
        -- Nothing shipped and nothing left to ship: Jet withdrew it, or every unit was
        -- cancelled (by Jet, the customer, an operator or the warehouse).
        WHEN p_jet_status = 'complete' AND coalesce(p_units_shipped, 0) = 0 THEN 'cancelled'
        WHEN coalesce(p_units_shipped, 0) > 0
             AND coalesce(p_units_shipped, 0) + coalesce(p_units_cancelled, 0) >= coalesce(p_units_ordered, 0)
            THEN 'shipped'
        WHEN coalesce(p_units_shipped, 0) > 0 THEN 'partially shipped'
        WHEN p_jet_status IN ('acknowledged', 'inprogress') OR p_acknowledgement_call = 'acknowledge'
            THEN 'acknowledged'
        WHEN coalesce(p_held, false) THEN 'held'
        ELSE 'new'
    END
$$;
COMMENT ON FUNCTION jet.internal_status(text, text, text, boolean, integer, integer, integer, integer, boolean) IS 'The one definition of Jetflow''s internal order status (docs/statuses.md), first matching rule wins: refunded > returned > rejected (our acknowledgement call rejected it for short stock, or Jet shows exception - order rejected without our cancel) > cancelled (our acknowledgement call cancelled it, or Jet shows it complete with nothing shipped: withdrawn, or every unit cancelled) > shipped > partially shipped > acknowledged > held > new. Arguments: Jet''s status and exception state, our acknowledgement call (acknowledge | reject | cancel | NULL), held by a decision, units ordered / shipped / cancelled as Jet shows them, returns, whether money was refunded.';

-- ---------------------------------------------------------------- the map

CREATE OR REPLACE VIEW jet.order_status_map AS
WITH ordered AS (
    SELECT merchant_order_id, sum(quantity)::integer AS units FROM jet.order_items GROUP BY 1
),
done AS (
    SELECT merchant_order_id, sum(shipped_qty)::integer AS shipped, sum(cancelled_qty)::integer AS cancelled
    FROM jet.order_shipments GROUP BY 1
),
ack AS (
    -- One acknowledgement call per order ever (a unique index on jet.actions); a failed
    -- one was given up, so it says nothing about the order.
    SELECT merchant_order_id, kind, state FROM jet.actions
    WHERE kind IN ('acknowledge', 'reject', 'cancel') AND state <> 'failed'
),
held AS (
    SELECT merchant_order_id FROM jet.decisions WHERE outcome = 'hold' AND NOT dry_run
),
ret AS (
    SELECT r.merchant_order_id,
           count(DISTINCT r.merchant_return_authorization_id)::integer AS returns,
           coalesce(sum(i.refund_principal + coalesce(i.refund_tax, 0) + coalesce(i.refund_shipping_cost, 0)
                        + coalesce(i.refund_shipping_tax, 0))
                    FILTER (WHERE r.return_status = 'completed by merchant'), 0) AS returned_refund
    FROM jet.returns r
    LEFT JOIN jet.return_items i USING (merchant_return_authorization_id)
    GROUP BY 1
),
ref AS (
    SELECT merchant_order_id, count(*) FILTER (WHERE refund_status = 'accepted')::integer AS accepted,
           count(*)::integer AS requested
    FROM jet.refunds GROUP BY 1
)
SELECT o.merchant_order_id,
       jet.internal_status(o.status, o.exception_state, ack.kind, held.merchant_order_id IS NOT NULL,
                           ordered.units, coalesce(done.shipped, 0), coalesce(done.cancelled, 0),
                           coalesce(ret.returns, 0),
                           coalesce(ref.accepted, 0) > 0 OR coalesce(ret.returned_refund, 0) > 0) AS internal_status,
       o.status AS jet_status,
       o.exception_state,
       ack.kind AS acknowledgement_action,
       ack.state AS acknowledgement_state,
       ordered.units AS units_ordered,
       coalesce(done.shipped, 0) AS units_shipped,
       coalesce(done.cancelled, 0) AS units_cancelled,
       coalesce(ret.returns, 0) AS returns,
       coalesce(ref.requested, 0) AS refunds_requested,
       coalesce(ref.accepted, 0) AS refunds_accepted,
       (o.order_placed_at AT TIME ZONE 'UTC')::date AS placed_on
FROM jet.orders o
LEFT JOIN ordered USING (merchant_order_id)
LEFT JOIN done USING (merchant_order_id)
LEFT JOIN ack USING (merchant_order_id)
LEFT JOIN held USING (merchant_order_id)
LEFT JOIN ret USING (merchant_order_id)
LEFT JOIN ref USING (merchant_order_id);
COMMENT ON VIEW jet.order_status_map IS 'Our internal status of every order: jet.internal_status() (the one definition, docs/statuses.md) applied to Jet''s status and exception state, our acknowledgement call, a hold, the units Jet shows shipped and cancelled (jet.order_shipments), returns and refunds. Key: merchant_order_id.';
COMMENT ON COLUMN jet.order_status_map.internal_status IS 'new, held, acknowledged, partially shipped, shipped, cancelled, rejected, returned, refunded (jet.internal_status).';
COMMENT ON COLUMN jet.order_status_map.jet_status IS 'Jet''s status as last landed: created, ready, acknowledged, inprogress, complete.';
COMMENT ON COLUMN jet.order_status_map.placed_on IS 'Day the customer placed the order (UTC).';

-- analytics.order_status is SELECT * of the map: re-create it so it has the new column.
CREATE OR REPLACE VIEW analytics.order_status AS SELECT * FROM jet.order_status_map;

-- ---------------------------------------------------------------- every cancel, whoever started it

CREATE VIEW jet.order_cancellations AS
WITH acts AS (
    -- Our acknowledgement call when it declined the order: the rules' reject or cancel,
    -- or an operator's cancel before acknowledgement (it carries the operator's reason).
    SELECT a.merchant_order_id, coalesce(a.settled_at, a.created_at) AS at,
           CASE a.kind WHEN 'reject' THEN 'reject' ELSE 'cancel' END AS act,
           CASE WHEN a.reason IS NULL THEN 'rules' ELSE 'operator' END AS started_by,
           a.requested_by AS run,
           (SELECT sum(i.quantity)::integer FROM jet.order_items i WHERE i.merchant_order_id = a.merchant_order_id)
               AS units,
           coalesce(a.reason, array_to_string(d.reasons, ', ')) AS reason,
           CASE WHEN a.reason IS NULL THEN 'include/jet/decisions/rules.py'
                ELSE 'include/jet/decisions/manual.py' END AS rule_in,
           a.decision_id, a.action_id, a.kind AS action_kind, a.state AS action_state
    FROM jet.actions a
    LEFT JOIN jet.decisions d USING (decision_id)
    WHERE a.kind IN ('reject', 'cancel') AND a.state <> 'failed'
    UNION ALL
    -- Units cancelled with a shipped message: Jet's directed cancel (the customer or Jet
    -- asked), an operator's cancel of open units, the warehouse's cancel-only shipment,
    -- or the units a partial accept said to cancel (proposed by jet_fulfillment).
    SELECT a.merchant_order_id, coalesce(a.settled_at, a.created_at),
           'cancel units',
           CASE WHEN a.kind = 'directed_cancel' THEN 'jet'
                WHEN a.kind = 'cancel_units' THEN 'operator'
                WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'rules'
                ELSE 'warehouse' END,
           a.requested_by,
           coalesce((SELECT sum(l.quantity_cancelled)::integer FROM jet.shipment_request_lines l
                     WHERE l.shipment_request_id = r.shipment_request_id),
                    (SELECT sum((q #>> '{}')::integer)::integer
                     FROM jsonb_path_query(a.body, '$.shipments[*].shipment_items[*].response_shipment_cancel_qty') q)),
           CASE WHEN a.kind = 'directed_cancel' THEN 'Jet requested the cancellation (request_order_cancel_qty)'
                WHEN a.kind = 'cancel_units' THEN a.reason
                WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'PARTIAL_STOCK: accepted what stock allowed'
                ELSE format('shipment %s recorded by %s', r.alt_shipment_id, coalesce(r.actor, r.requested_by))
           END,
           CASE WHEN a.kind = 'directed_cancel' THEN 'include/jet/decisions/store.py'
                WHEN a.kind = 'cancel_units' THEN 'include/jet/decisions/manual.py'
                WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'include/jet/decisions/rules.py'
                ELSE 'include/jet/fulfillment/shipments.py' END,
           a.decision_id, a.action_id, a.kind, a.state
    FROM jet.actions a
    LEFT JOIN jet.shipment_requests r
           ON a.kind LIKE 'ship:%' AND r.shipment_request_id::text = substr(a.kind, 6)
    WHERE a.state <> 'failed'
      AND (a.kind IN ('directed_cancel', 'cancel_units')
           OR (a.kind LIKE 'ship:%' AND EXISTS (SELECT 1 FROM jet.shipment_request_lines l
                                                WHERE l.shipment_request_id = r.shipment_request_id
                                                  AND l.quantity_cancelled > 0)))
    UNION ALL
    -- Jet ended the order with nothing shipped and no call of ours asked for it: Jet
    -- withdrew it (not acknowledged in time), or completed it some other way.
    SELECT o.merchant_order_id, h.observed_at, 'withdraw', 'jet', h.batch_key,
           (SELECT sum(i.quantity)::integer FROM jet.order_items i WHERE i.merchant_order_id = o.merchant_order_id),
           coalesce(nullif(o.exception_state, ''), 'Jet shows the order complete with nothing shipped'),
           'Jet', NULL::bigint, NULL::bigint, NULL::text, NULL::text
    FROM jet.orders o
    JOIN jet.order_status_history h
      ON h.merchant_order_id = o.merchant_order_id AND h.status = 'complete'
     AND h.exception_state = coalesce(o.exception_state, '')
    WHERE o.status = 'complete'
      AND NOT EXISTS (SELECT 1 FROM jet.order_shipments s
                      WHERE s.merchant_order_id = o.merchant_order_id AND s.shipped_qty > 0)
      AND NOT EXISTS (SELECT 1 FROM jet.actions a
                      WHERE a.merchant_order_id = o.merchant_order_id AND a.state <> 'failed'
                        AND (a.kind IN ('reject', 'cancel', 'directed_cancel', 'cancel_units') OR a.kind LIKE 'ship:%'))
)
SELECT acts.merchant_order_id, m.internal_status, acts.at, acts.act, acts.started_by,
       -- The person, when one acted: the actor stamped on the note the action wrote.
       coalesce((SELECT n.actor FROM jet.order_notes n
                 WHERE n.merchant_order_id = acts.merchant_order_id AND n.source = 'action:' || acts.action_id
                   AND n.actor IS NOT NULL
                 ORDER BY n.note_id LIMIT 1),
                CASE acts.started_by WHEN 'jet' THEN 'Jet' END) AS who,
       acts.run, acts.units, acts.reason, acts.rule_in,
       acts.decision_id, acts.action_id, acts.action_kind, acts.action_state
FROM acts
JOIN jet.order_status_map m USING (merchant_order_id)
ORDER BY acts.merchant_order_id, acts.at;
COMMENT ON VIEW jet.order_cancellations IS 'Why an order was cancelled or rejected, whoever started it: one row per declining acknowledgement call (reject, cancel), per shipped message that cancelled units (Jet''s directed cancel, an operator''s cancel of open units, the warehouse''s cancel-only shipment, the units a partial accept said to cancel), and per order Jet completed with nothing shipped without our asking (withdrawn). Ask it: SELECT * FROM jet.order_cancellations WHERE merchant_order_id = ''...''. Key: (merchant_order_id, at, act).';
COMMENT ON COLUMN jet.order_cancellations.internal_status IS 'The order''s internal status now (jet.order_status_map): rejected and cancelled are different words.';
COMMENT ON COLUMN jet.order_cancellations.at IS 'When it took effect (UTC): when Jet took our call (else when it was queued); for a withdrawal, when a run first saw it.';
COMMENT ON COLUMN jet.order_cancellations.act IS 'reject (we declined the order at acknowledgement, stock short), cancel (we declined it for another reason: unknown SKU, no stock on a one-line order, an operator), cancel units (a shipped message cancelled units), withdraw (Jet completed it with nothing shipped).';
COMMENT ON COLUMN jet.order_cancellations.started_by IS 'rules (the decision rules), operator (a person, through jet_cancel_order or the inbox), jet (Jet or the customer: directed cancel, withdrawal), warehouse (a cancel-only shipment recorded by jet_ship_order or the WMS).';
COMMENT ON COLUMN jet.order_cancellations.who IS 'The Airflow user who acted, when a person did; Jet for Jet''s own; NULL for the pipelines.';
COMMENT ON COLUMN jet.order_cancellations.run IS 'The run that asked for it (<dag_id>/<logical time>), or the landing batch that saw Jet''s withdrawal.';
COMMENT ON COLUMN jet.order_cancellations.units IS 'Units declined or cancelled.';
COMMENT ON COLUMN jet.order_cancellations.reason IS 'The rules'' reason codes, the operator''s reason, or Jet''s exception state.';
COMMENT ON COLUMN jet.order_cancellations.rule_in IS 'The file whose rule made the call (the decision rules, the operator actions, the directed-cancel planner, the shipment recorder), or Jet.';

CREATE VIEW analytics.order_cancellations AS SELECT * FROM jet.order_cancellations;
COMMENT ON VIEW analytics.order_cancellations IS 'Every cancel and rejection of an order, whoever started it (see jet.order_cancellations). Key: (merchant_order_id, at, act).';

-- ---------------------------------------------------------------- analytics, from the one definition

-- A view's columns cannot be renamed or dropped in place: drop and re-create.
DROP VIEW analytics.cancellation_rate;
CREATE VIEW analytics.cancellation_rate AS
SELECT placed_on AS day,
       count(*) AS orders,
       count(*) FILTER (WHERE internal_status = 'cancelled') AS orders_cancelled,
       count(*) FILTER (WHERE internal_status = 'rejected') AS orders_rejected,
       count(*) FILTER (WHERE exception_state = 'exception - jet manual canceled to complete state') AS orders_withdrawn,
       count(*) FILTER (WHERE internal_status NOT IN ('cancelled', 'rejected') AND units_cancelled > 0)
           AS orders_partly_cancelled,
       sum(coalesce(units_ordered, 0)) AS units_ordered,
       -- A rejected order's units were never accepted: they are not cancelled units.
       sum(CASE WHEN internal_status = 'rejected' THEN 0
                WHEN internal_status = 'cancelled' THEN coalesce(units_ordered, 0)
                ELSE least(units_cancelled, coalesce(units_ordered, 0)) END) AS units_cancelled,
       round(count(*) FILTER (WHERE internal_status = 'cancelled')::numeric / nullif(count(*), 0), 4)
           AS order_cancellation_rate,
       round(count(*) FILTER (WHERE internal_status = 'rejected')::numeric / nullif(count(*), 0), 4)
           AS order_rejection_rate,
       round(sum(CASE WHEN internal_status = 'rejected' THEN 0
                      WHEN internal_status = 'cancelled' THEN coalesce(units_ordered, 0)
                      ELSE least(units_cancelled, coalesce(units_ordered, 0)) END)::numeric
             / nullif(sum(coalesce(units_ordered, 0)), 0), 4) AS unit_cancellation_rate
FROM jet.order_status_map
GROUP BY placed_on;
COMMENT ON VIEW analytics.cancellation_rate IS 'Cancellations and rejections per day of order placement (UTC), from the internal status (jet.order_status_map, docs/statuses.md): orders cancelled (by the rules, an operator, Jet''s withdrawal or every unit cancelled), orders rejected (we declined them for short stock: not cancellations), orders Jet withdrew, orders partly cancelled; separate cancellation and rejection rates. Key: day.';
COMMENT ON COLUMN analytics.cancellation_rate.orders_cancelled IS 'Orders whose internal status is cancelled.';
COMMENT ON COLUMN analytics.cancellation_rate.orders_rejected IS 'Orders whose internal status is rejected (declined at acknowledgement for short stock).';
COMMENT ON COLUMN analytics.cancellation_rate.orders_withdrawn IS 'Orders Jet withdrew (exception - jet manual canceled to complete state): also counted as cancelled.';
COMMENT ON COLUMN analytics.cancellation_rate.orders_partly_cancelled IS 'Orders neither cancelled nor rejected with some units cancelled.';
COMMENT ON COLUMN analytics.cancellation_rate.units_cancelled IS 'Units of cancelled orders, plus cancelled units of the others; rejected orders'' units are not counted.';
COMMENT ON COLUMN analytics.cancellation_rate.order_cancellation_rate IS 'orders_cancelled / orders.';
COMMENT ON COLUMN analytics.cancellation_rate.order_rejection_rate IS 'orders_rejected / orders.';
COMMENT ON COLUMN analytics.cancellation_rate.unit_cancellation_rate IS 'units_cancelled / units_ordered.';

-- Every decision, and every write to Jet that cancelled units without one (Jet's
-- directed cancel, an operator's cancel of open units, a warehouse cancel): those have
-- no decision_id, so a join on it never showed them.
DROP VIEW analytics.order_decisions;
CREATE VIEW analytics.order_decisions AS
SELECT d.merchant_order_id, d.decided_at, d.dry_run, d.outcome, d.reasons, d.rules_version, d.settings_version,
       a.kind AS action_kind, a.state AS action_state, a.attempts AS action_attempts,
       o.ready_at, o.acknowledged_at, o.status,
       CASE WHEN d.dry_run THEN NULL WHEN a.reason IS NOT NULL THEN 'operator' ELSE 'rules' END AS started_by,
       a.reason AS action_reason, a.action_id
FROM jet.decisions d
JOIN jet.orders o USING (merchant_order_id)
LEFT JOIN jet.actions a ON a.decision_id = d.decision_id
UNION ALL
SELECT c.merchant_order_id, NULL, false, NULL, NULL, NULL, NULL,
       c.action_kind, c.action_state, a.attempts,
       o.ready_at, o.acknowledged_at, o.status,
       c.started_by, c.reason, c.action_id
FROM jet.order_cancellations c
JOIN jet.orders o USING (merchant_order_id)
JOIN jet.actions a USING (action_id)
WHERE a.decision_id IS NULL;
COMMENT ON VIEW analytics.order_decisions IS 'Decisions and cancels for analysts: one row per decision (and its action, if any), plus one row per cancelling write to Jet that no decision asked for (Jet''s directed cancel, an operator''s cancel, a warehouse cancel; decision columns NULL), with the order''s ready and acknowledged times. Every cancel whoever started it: see also analytics.order_cancellations. Key: (merchant_order_id, decided_at, dry_run) for decisions, action_id for the others.';
COMMENT ON COLUMN analytics.order_decisions.action_kind IS 'The write: acknowledge, reject or cancel for a decision (NULL for held and dry-run decisions); directed_cancel, cancel_units or ship:<id> for a cancel without one.';
COMMENT ON COLUMN analytics.order_decisions.action_state IS 'Outbox state of that write (applied = Jet has it).';
COMMENT ON COLUMN analytics.order_decisions.acknowledged_at IS 'When Jet recorded the acknowledgement call (accepted or rejected), as last landed.';
COMMENT ON COLUMN analytics.order_decisions.started_by IS 'rules, operator, jet (directed cancel) or warehouse; NULL for dry runs.';
COMMENT ON COLUMN analytics.order_decisions.action_reason IS 'The operator''s reason, or why a cancel without a decision was made.';

-- The report's per-order outcomes: cancelled and rejected now come from the one
-- definition, so an order the rules cancelled (unknown SKU, a one-line order without
-- stock) is no longer counted as rejected, and the answer is the order's acknowledgement
-- call whoever made it (an operator's cancel has no decision).
CREATE OR REPLACE VIEW analytics.order_outcomes AS
SELECT o.merchant_order_id, o.reference_order_id,
       (o.order_placed_at AT TIME ZONE 'UTC')::date AS placed_on,
       o.order_placed_at, o.ready_at, o.acknowledged_at, o.acknowledgement_status, o.status, o.exception_state,
       round(extract(epoch FROM o.acknowledged_at - o.ready_at)::numeric, 1) AS ack_seconds,
       coalesce(o.acknowledged_at - o.ready_at <= interval '15 minutes', false) AS within_window,
       d.outcome AS decision, d.reasons[1] AS decision_reason, d.decided_at,
       a.state AS answer_state, a.attempts AS answer_attempts,
       l.units_ordered, coalesce(s.units_shipped, 0) AS units_shipped, coalesce(s.units_cancelled, 0) AS units_cancelled,
       CASE
           WHEN st.status = 'cancelled' AND o.exception_state = 'exception - jet manual canceled to complete state'
               THEN 'withdrawn'
           WHEN st.status IN ('rejected', 'cancelled') THEN st.status
           WHEN coalesce(s.units_cancelled, 0) > 0 THEN 'partly cancelled'
       END AS cancellation,
       CASE
           WHEN st.status = 'cancelled' AND o.exception_state = 'exception - jet manual canceled to complete state'
               THEN 'not acknowledged in time'
           WHEN st.status IN ('rejected', 'cancelled') AND a.kind IN ('reject', 'cancel') THEN
               CASE
                   WHEN a.reason IS NOT NULL OR d.outcome = 'hold' THEN 'by operator'
                   WHEN d.reasons[1] IS NOT NULL THEN lower(replace(d.reasons[1], '_', ' '))
                   ELSE 'rejected'
               END
           WHEN st.status = 'rejected' THEN
               -- Answered outside Jetflow: Jet's echo of the refused lines says why.
               CASE
                   WHEN l.refusal LIKE '%invalid merchant sku%' THEN 'unknown sku'
                   WHEN l.refusal LIKE '%no inventory%' THEN 'no inventory'
                   ELSE 'rejected'
               END
           WHEN coalesce(s.units_cancelled, 0) > 0 THEN
               CASE WHEN o.jet_request_directed_cancel THEN 'at Jet''s request' ELSE 'at shipment' END
       END AS cancellation_reason,
       st.status AS internal_status
FROM jet.orders o
LEFT JOIN jet.decisions d ON d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run
LEFT JOIN LATERAL (
    SELECT x.kind, x.state, x.attempts, x.reason FROM jet.actions x
    WHERE x.merchant_order_id = o.merchant_order_id AND x.kind IN ('acknowledge', 'reject', 'cancel')
      AND x.state <> 'failed'
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
) s ON true
CROSS JOIN LATERAL (
    SELECT jet.internal_status(
               o.status, o.exception_state, a.kind,
               EXISTS (SELECT 1 FROM jet.decisions h
                       WHERE h.merchant_order_id = o.merchant_order_id AND h.outcome = 'hold' AND NOT h.dry_run),
               l.units_ordered, coalesce(s.units_shipped, 0), coalesce(s.units_cancelled, 0),
               (SELECT count(*)::integer FROM jet.returns r WHERE r.merchant_order_id = o.merchant_order_id),
               EXISTS (SELECT 1 FROM jet.refunds f
                       WHERE f.merchant_order_id = o.merchant_order_id AND f.refund_status = 'accepted')
               OR EXISTS (SELECT 1 FROM jet.returns r JOIN jet.return_items i USING (merchant_return_authorization_id)
                          WHERE r.merchant_order_id = o.merchant_order_id AND r.return_status = 'completed by merchant'
                            AND i.refund_principal + coalesce(i.refund_tax, 0) + coalesce(i.refund_shipping_cost, 0)
                                + coalesce(i.refund_shipping_tax, 0) > 0)
           ) AS status
) st;
COMMENT ON VIEW analytics.order_outcomes IS 'How each order was answered and, if it was cancelled or rejected, why: one row per order in jet.orders. Key: merchant_order_id. Latency from Jet''s own times (ready -> acknowledged, accepted or rejected); cancellation follows the internal status (jet.internal_status, docs/statuses.md): withdrawn (Jet cancelled it, unacknowledged past the 15-minute window), rejected (declined for short stock), cancelled (declined for another reason, or every unit cancelled) or partly cancelled; NULL = neither. Reasons come from Jetflow''s decision or the operator when they made the call, else from Jet''s echo of the refused lines.';
COMMENT ON COLUMN analytics.order_outcomes.internal_status IS 'The order''s internal status (jet.internal_status, the same as jet.order_status_map).';
