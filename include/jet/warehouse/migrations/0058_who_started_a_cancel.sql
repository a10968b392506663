-- Who started a cancel or a rejection, judged by who queued the write, not by whether it
-- carries a reason. Since the outbox (0040) every write to Jet carries one ("decided:
-- NO_INVENTORY" for the rules' own), so "a reason means an operator" filed every rules
-- reject and cancel under the operator. The rules queue their answer in the run that
-- decided (jet.actions.requested_by = jet.decisions.run_key); an operator's answer comes
-- from another run (jet_approve_order, jet_cancel_order, the inbox), or has no decision.
-- Same columns as 0055: the views are replaced in place.

CREATE OR REPLACE VIEW jet.order_cancellations AS
WITH acts AS (
    -- Our acknowledgement call when it declined the order: the rules' reject or cancel,
    -- or an operator's cancel before acknowledgement (it carries the operator's reason).
    SELECT a.merchant_order_id, coalesce(a.settled_at, a.created_at) AS at,
           CASE a.kind WHEN 'reject' THEN 'reject' ELSE 'cancel' END AS act,
           CASE WHEN a.requested_by = d.run_key THEN 'rules' ELSE 'operator' END AS started_by,
           a.requested_by AS run,
           (SELECT sum(i.quantity)::integer FROM jet.order_items i WHERE i.merchant_order_id = a.merchant_order_id)
               AS units,
           CASE WHEN a.requested_by = d.run_key THEN array_to_string(d.reasons, ', ')
                ELSE coalesce(a.reason, array_to_string(d.reasons, ', ')) END AS reason,
           CASE WHEN a.requested_by = d.run_key THEN 'include/jet/decisions/rules.py'
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

CREATE OR REPLACE VIEW analytics.order_decisions AS
SELECT d.merchant_order_id, d.decided_at, d.dry_run, d.outcome, d.reasons, d.rules_version, d.settings_version,
       a.kind AS action_kind, a.state AS action_state, a.attempts AS action_attempts,
       o.ready_at, o.acknowledged_at, o.status,
       CASE WHEN d.dry_run THEN NULL WHEN a.requested_by <> d.run_key THEN 'operator' ELSE 'rules' END AS started_by,
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
    SELECT x.kind, x.state, x.attempts, x.reason, x.requested_by FROM jet.actions x
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
