-- Kinds are named once: jet.action_kinds says what each kind of write does, and every
-- view that needs to know filters on those facts instead of listing kind names.
--
-- Until now the status function, the status map, the promised units, the cancellation
-- view and the outcomes view each wrote their own lists ('acknowledge', 'reject',
-- 'cancel', 'directed_cancel', 'cancel_units', 'ship:%'): a new kind (or a renamed one)
-- had to be found in five places. The new columns of jet.action_kinds:
--   answer         what an acknowledgement call does to the order, in our own status words
--                  (acknowledged, rejected, cancelled); NULL for every other kind;
--   cancels_units  a shipped call, which can cancel units (Jet's directed cancel, an
--                  operator's cancel of open units, a shipment with cancelled lines);
--   started_by     who always starts this kind (jet, operator); NULL when the run that
--                  queued it tells (the rules, an operator, the warehouse);
--   rule_in        the module that queues it: where a newcomer finds the rule.
-- The registry in jet.outbox.kinds holds the same facts (a test checks both agree);
-- the rows are set here once. Views and functions keep their columns (replaced in place).

ALTER TABLE jet.action_kinds
    ADD COLUMN answer        text CHECK (answer IN ('acknowledged', 'rejected', 'cancelled')),
    ADD COLUMN cancels_units boolean NOT NULL DEFAULT false,
    ADD COLUMN started_by    text CHECK (started_by IN ('jet', 'operator')),
    ADD COLUMN rule_in       text CHECK (rule_in ~ '^include/jet/[a-z_/]+\.py$');
COMMENT ON COLUMN jet.action_kinds.answer IS 'For an acknowledgement call: the internal status it gives the order (acknowledged, rejected, cancelled). NULL for other kinds.';
COMMENT ON COLUMN jet.action_kinds.cancels_units IS 'True for shipped calls, which can cancel units (a directed cancel, an operator''s cancel of open units, a shipment with cancelled lines).';
COMMENT ON COLUMN jet.action_kinds.started_by IS 'Who always starts this kind: jet (a directed cancel) or operator; NULL when the run that queued it tells (rules, operator, warehouse).';
COMMENT ON COLUMN jet.action_kinds.rule_in IS 'The module that queues writes of this kind: where the rule behind them lives.';

UPDATE jet.action_kinds k
   SET answer = v.answer, cancels_units = v.cancels_units, started_by = v.started_by, rule_in = v.rule_in
  FROM (VALUES
        ('acknowledge',     'acknowledged', false, NULL,       'include/jet/decisions/rules.py'),
        ('reject',          'rejected',     false, NULL,       'include/jet/decisions/rules.py'),
        ('cancel',          'cancelled',    false, NULL,       'include/jet/decisions/rules.py'),
        ('directed_cancel', NULL,           true,  'jet',      'include/jet/decisions/store.py'),
        ('cancel_units',    NULL,           true,  'operator', 'include/jet/decisions/manual.py'),
        ('ship',            NULL,           true,  NULL,       'include/jet/fulfillment/shipments.py'),
        ('complete_return', NULL,           false, NULL,       'include/jet/returns/completion.py'),
        ('refund',          NULL,           false, NULL,       'include/jet/refunds/request.py')
       ) AS v (kind, answer, cancels_units, started_by, rule_in)
 WHERE k.kind = v.kind;
ALTER TABLE jet.action_kinds
    ALTER COLUMN rule_in SET NOT NULL,
    ADD CONSTRAINT action_kinds_answer_is_an_acknowledgement CHECK ((answer IS NOT NULL) = acknowledgement);

-- ---------------------------------------------------------------- the status rule

CREATE OR REPLACE FUNCTION jet.internal_status(
    p_jet_status text,
    p_exception_state text,
    p_acknowledgement_call text,
    p_held boolean,
    p_units_ordered integer,
    p_units_shipped integer,
    p_units_cancelled integer,
    p_returns integer,
    p_refunded boolean
) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        -- Money went back to the customer: the last word on the order.
        WHEN coalesce(p_refunded, false) THEN 'refunded'
        WHEN coalesce(p_returns, 0) > 0 THEN 'returned'
        -- We declined the order at acknowledgement because stock was short. Jet files
        -- every declined acknowledgement under 'exception - order rejected'; only our
        -- own call tells a rejection from a cancel.
        WHEN k.answer = 'rejected' THEN 'rejected'
        WHEN k.answer = 'cancelled' THEN 'cancelled'
        WHEN p_exception_state = 'exception - order rejected' THEN 'rejected'
        -- Nothing shipped and nothing left to ship: Jet withdrew it, or every unit was
        -- cancelled (by Jet, the customer, an operator or the warehouse).
        WHEN p_jet_status = 'complete' AND coalesce(p_units_shipped, 0) = 0 THEN 'cancelled'
        WHEN coalesce(p_units_shipped, 0) > 0
             AND coalesce(p_units_shipped, 0) + coalesce(p_units_cancelled, 0) >= coalesce(p_units_ordered, 0)
            THEN 'shipped'
        WHEN coalesce(p_units_shipped, 0) > 0 THEN 'partially shipped'
        WHEN p_jet_status IN ('acknowledged', 'inprogress') OR k.answer = 'acknowledged'
            THEN 'acknowledged'
        WHEN coalesce(p_held, false) THEN 'held'
        ELSE 'new'
    END
    -- What the call does to the order is the kind's own fact (jet.action_kinds.answer).
    FROM (SELECT (SELECT a.answer FROM jet.action_kinds a
                  WHERE a.kind = p_acknowledgement_call AND a.acknowledgement) AS answer) k
$$;

-- ---------------------------------------------------------------- the views

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
    SELECT a.merchant_order_id, a.kind, a.state
    FROM jet.actions a JOIN jet.action_kinds k ON k.kind = a.call
    WHERE k.acknowledgement AND a.state <> 'failed'
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

CREATE OR REPLACE VIEW jet.promised_units AS
WITH acknowledged_orders AS (
    -- Acknowledged at Jet, or being acknowledged by us (our status copy may lag).
    SELECT o.merchant_order_id, o.fulfillment_node
    FROM jet.orders o
    WHERE o.status <> 'complete'
      AND (o.status IN ('acknowledged', 'inprogress')
           OR EXISTS (SELECT 1 FROM jet.actions a JOIN jet.action_kinds k ON k.kind = a.call
                      WHERE a.merchant_order_id = o.merchant_order_id
                        AND k.answer = 'acknowledged' AND a.state <> 'failed'))
),
open_units AS (
    SELECT ao.fulfillment_node, i.merchant_order_id, i.merchant_sku, sum(i.quantity) AS ordered
    FROM acknowledged_orders ao
    JOIN jet.order_items i USING (merchant_order_id)
    GROUP BY 1, 2, 3
),
done_units AS (
    SELECT merchant_order_id, merchant_sku, sum(shipped_qty) AS shipped, sum(cancelled_qty) AS cancelled
    FROM jet.order_shipments
    GROUP BY 1, 2
),
acknowledged AS (
    SELECT u.merchant_sku AS sku, u.fulfillment_node,
           sum(greatest(0, u.ordered - coalesce(d.shipped, 0) - coalesce(d.cancelled, 0)))::integer AS units
    FROM open_units u
    LEFT JOIN done_units d USING (merchant_order_id, merchant_sku)
    GROUP BY 1, 2
),
held AS (
    -- Held orders reserve what they would take, until approved (then acknowledged
    -- above) or cancelled (a reject/cancel action releases them).
    SELECT l.merchant_sku AS sku, o.fulfillment_node, sum(l.reserved)::integer AS units
    FROM jet.decisions d
    JOIN jet.decision_lines l USING (decision_id)
    JOIN jet.orders o USING (merchant_order_id)
    WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status <> 'complete'
      AND NOT EXISTS (SELECT 1 FROM jet.actions a JOIN jet.action_kinds k ON k.kind = a.call
                      WHERE a.merchant_order_id = d.merchant_order_id AND k.acknowledgement)
    GROUP BY 1, 2
)
SELECT sku, fulfillment_node,
       coalesce(a.units, 0) AS acknowledged_units,
       coalesce(h.units, 0) AS held_units,
       coalesce(a.units, 0) + coalesce(h.units, 0) AS promised
FROM acknowledged a
FULL JOIN held h USING (sku, fulfillment_node);

CREATE OR REPLACE VIEW jet.order_cancellations AS
WITH acts AS (
    -- Our acknowledgement call when it declined the order: the rules' reject or cancel,
    -- or an operator's cancel before acknowledgement (it carries the operator's reason).
    SELECT a.merchant_order_id, coalesce(a.settled_at, a.created_at) AS at,
           CASE k.answer WHEN 'rejected' THEN 'reject' ELSE 'cancel' END AS act,
           CASE WHEN a.requested_by = d.run_key THEN 'rules' ELSE 'operator' END AS started_by,
           a.requested_by AS run,
           (SELECT sum(i.quantity)::integer FROM jet.order_items i WHERE i.merchant_order_id = a.merchant_order_id)
               AS units,
           CASE WHEN a.requested_by = d.run_key THEN array_to_string(d.reasons, ', ')
                ELSE coalesce(a.reason, array_to_string(d.reasons, ', ')) END AS reason,
           CASE WHEN a.requested_by = d.run_key THEN k.rule_in
                ELSE 'include/jet/decisions/manual.py' END AS rule_in,
           a.decision_id, a.action_id, a.kind AS action_kind, a.state AS action_state
    FROM jet.actions a
    JOIN jet.action_kinds k ON k.kind = a.call
    LEFT JOIN jet.decisions d USING (decision_id)
    WHERE k.answer IN ('rejected', 'cancelled') AND a.state <> 'failed'
    UNION ALL
    -- Units cancelled with a shipped message: Jet's directed cancel (the customer or Jet
    -- asked), an operator's cancel of open units, the warehouse's cancel-only shipment,
    -- or the units a partial accept said to cancel (proposed by jet_fulfillment).
    SELECT a.merchant_order_id, coalesce(a.settled_at, a.created_at),
           'cancel units',
           coalesce(k.started_by,
                    CASE WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'rules' ELSE 'warehouse' END),
           a.requested_by,
           coalesce((SELECT sum(l.quantity_cancelled)::integer FROM jet.shipment_request_lines l
                     WHERE l.shipment_request_id = r.shipment_request_id),
                    (SELECT sum((q #>> '{}')::integer)::integer
                     FROM jsonb_path_query(a.body, '$.shipments[*].shipment_items[*].response_shipment_cancel_qty') q)),
           CASE WHEN k.started_by = 'jet' THEN 'Jet requested the cancellation (request_order_cancel_qty)'
                WHEN k.started_by = 'operator' THEN a.reason
                WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'PARTIAL_STOCK: accepted what stock allowed'
                ELSE format('shipment %s recorded by %s', r.alt_shipment_id, coalesce(r.actor, r.requested_by))
           END,
           CASE WHEN r.request_key LIKE 'units_to_cancel/%' THEN 'include/jet/decisions/rules.py'
                ELSE k.rule_in END,
           a.decision_id, a.action_id, a.kind, a.state
    FROM jet.actions a
    JOIN jet.action_kinds k ON k.kind = a.call
    LEFT JOIN jet.shipment_requests r
           ON k.subject = 'shipment_request' AND r.shipment_request_id::text = a.subject
    WHERE a.state <> 'failed' AND k.cancels_units
      AND (k.subject <> 'shipment_request'
           OR EXISTS (SELECT 1 FROM jet.shipment_request_lines l
                      WHERE l.shipment_request_id = r.shipment_request_id AND l.quantity_cancelled > 0))
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
      AND NOT EXISTS (SELECT 1 FROM jet.actions a JOIN jet.action_kinds k ON k.kind = a.call
                      WHERE a.merchant_order_id = o.merchant_order_id AND a.state <> 'failed'
                        AND (k.answer IN ('rejected', 'cancelled') OR k.cancels_units))
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
           WHEN st.status IN ('rejected', 'cancelled') AND a.answer IN ('rejected', 'cancelled') THEN
               CASE
                   WHEN a.requested_by IS DISTINCT FROM d.run_key OR d.outcome = 'hold' THEN 'by operator'
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
    SELECT x.kind, k.answer, x.state, x.attempts, x.reason, x.requested_by
    FROM jet.actions x JOIN jet.action_kinds k ON k.kind = x.call
    WHERE x.merchant_order_id = o.merchant_order_id AND k.acknowledgement AND x.state <> 'failed'
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

COMMENT ON FUNCTION jet.internal_status(text, text, text, boolean, integer, integer, integer, integer, boolean) IS 'The one definition of Jetflow''s internal order status (docs/statuses.md), first matching rule wins: refunded > returned > rejected (our acknowledgement call rejected it for short stock, or Jet shows exception - order rejected without our cancel) > cancelled (our acknowledgement call cancelled it, or Jet shows it complete with nothing shipped: withdrawn, or every unit cancelled) > shipped > partially shipped > acknowledged > held > new. Arguments: Jet''s status and exception state, our acknowledgement call (a jet.action_kinds kind with acknowledgement; what it does to the order is its answer column), held by a decision, units ordered / shipped / cancelled as Jet shows them, returns, whether money was refunded.';
