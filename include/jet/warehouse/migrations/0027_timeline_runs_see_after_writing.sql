-- The timeline: a status a run saw at Jet reads after that run's own writes settled.
--
-- A manual run (jet_cancel_order, jet_approve_order, an inbox answer) writes to Jet and
-- then re-reads the order. The re-read is stamped with the run's logical time, but the
-- outbox notes when a write settled at the wall clock, seconds later: the timeline said
-- "Jet shows the order complete" before "cancel_units applied at Jet". A status first
-- seen by a run now reads at the latest of its observation and that run's outbox notes
-- on the order (the run is the batch key's prefix; an action's requested_by is the run).
-- Only this view changes: the stored times stay what each writer recorded.

CREATE OR REPLACE VIEW jet.order_timeline AS
SELECT merchant_order_id, at, phase, side, who, actor, kind, body, source, seq
FROM (
    SELECT n.merchant_order_id, n.noted_at AS at, 1 AS phase, 'ours' AS side, n.author AS who, n.actor, n.kind,
           n.body, n.source, n.note_id AS seq
    FROM jet.order_notes n
    UNION ALL
    SELECT o.merchant_order_id, o.order_placed_at, 0, 'jet', 'Jet', NULL, 'jet',
           format('order %s placed by the customer', o.reference_order_id), NULL, 0
    FROM jet.orders o
    UNION ALL
    SELECT o.merchant_order_id, o.ready_at, 0, 'jet', 'Jet', NULL, 'jet',
           format('released by Jet (fraud check passed): acknowledge by %s UTC',
                  to_char((o.ready_at + interval '15 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
           NULL, 10
    FROM jet.orders o
    WHERE o.ready_at IS NOT NULL
    UNION ALL
    SELECT o.merchant_order_id, o.acknowledged_at, 0, 'jet', 'Jet', NULL, 'jet',
           format('Jet recorded the acknowledgement: %s', coalesce(o.acknowledgement_status, 'unknown')), NULL, 20
    FROM jet.orders o
    WHERE o.acknowledged_at IS NOT NULL
    UNION ALL
    SELECT h.merchant_order_id,
           greatest(h.observed_at,
                    (SELECT max(n.noted_at)
                     FROM jet.actions a
                     JOIN jet.order_notes n
                       ON n.merchant_order_id = a.merchant_order_id AND n.source = 'action:' || a.action_id
                     WHERE a.merchant_order_id = h.merchant_order_id
                       AND left(h.batch_key, length(a.requested_by) + 1) = a.requested_by || '/')),
           2, 'jet', 'Jet', NULL, 'jet',
           format('Jet shows the order %s', h.status) || coalesce(' (' || nullif(h.exception_state, '') || ')', ''),
           'status:' || h.status,
           coalesce(10 * array_position(ARRAY['ready', 'acknowledged', 'inprogress', 'complete'], h.status) + 1, 45)
    FROM jet.order_status_history h
    UNION ALL
    SELECT r.merchant_order_id, r.return_date, 0, 'jet', 'Jet', NULL, 'jet',
           format('customer opened return %s (%s unit(s)%s)',
                  coalesce(r.reference_return_authorization_id, r.merchant_return_authorization_id),
                  coalesce((SELECT sum(i.return_quantity) FROM jet.return_items i
                            WHERE i.merchant_return_authorization_id = r.merchant_return_authorization_id), 0),
                  coalesce(': ' || (SELECT string_agg(DISTINCT i.reason, ', ') FROM jet.return_items i
                                    WHERE i.merchant_return_authorization_id = r.merchant_return_authorization_id), '')),
           'return:' || r.merchant_return_authorization_id, 50
    FROM jet.returns r
    WHERE r.return_date IS NOT NULL
) t
ORDER BY merchant_order_id, at, phase, seq;
COMMENT ON COLUMN jet.order_timeline.at IS 'When it happened (UTC): Jet''s own time for Jet''s dates, the note''s time for ours; for a status first seen, the observing run''s time, or when that run''s own writes to the order settled if later (a run looks after it writes).';
