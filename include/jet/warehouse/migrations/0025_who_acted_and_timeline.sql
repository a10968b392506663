-- The order manager's history: who acted, and one dated timeline per order.
--
-- Who acted. A manual DAG's task opens its warehouse session with the person who
-- triggered the run (or answered for it in the inbox) as the setting jet.actor
-- (jet.warehouse.db.connect). The triggers below stamp it on every note, refund and
-- shipment request the session inserts, whichever code path writes them (Python or the
-- outbox's own triggers), so no function has to pass the name down. Scheduled runs
-- leave it unset: NULL means "the pipelines themselves".

-- ---------------------------------------------------------------- who acted

CREATE FUNCTION jet.session_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('jet.actor', true), '')
$$;
COMMENT ON FUNCTION jet.session_actor() IS 'The person the current session writes for (session setting jet.actor), NULL when unset or empty.';

CREATE FUNCTION jet.stamp_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := coalesce(NEW.actor, jet.session_actor());
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION jet.stamp_actor() IS 'Trigger: a row inserted without an actor takes the session''s (jet.session_actor()).';

ALTER TABLE jet.order_notes ADD COLUMN actor text CHECK (actor <> '');
COMMENT ON COLUMN jet.order_notes.actor IS 'The Airflow user on whose behalf the note was written: the author of a person''s note, the user whose manual run caused a system note (an operator''s cancel, refund, shipment); NULL for the pipelines'' own notes.';
CREATE TRIGGER order_notes_actor BEFORE INSERT ON jet.order_notes
    FOR EACH ROW EXECUTE FUNCTION jet.stamp_actor();

ALTER TABLE jet.refunds ADD COLUMN actor text CHECK (actor <> '');
COMMENT ON COLUMN jet.refunds.actor IS 'The Airflow user who asked for the refund (the jet_refund_order run''s triggering user); NULL when the pipelines did.';
CREATE TRIGGER refunds_actor BEFORE INSERT ON jet.refunds
    FOR EACH ROW EXECUTE FUNCTION jet.stamp_actor();

ALTER TABLE jet.shipment_requests ADD COLUMN actor text CHECK (actor <> '');
COMMENT ON COLUMN jet.shipment_requests.actor IS 'The Airflow user who recorded the shipment (jet_ship_order''s triggering user); NULL when a WMS or the pipelines did.';
CREATE TRIGGER shipment_requests_actor BEFORE INSERT ON jet.shipment_requests
    FOR EACH ROW EXECUTE FUNCTION jet.stamp_actor();

-- add_order_note with the actor: the one body; the seven-argument form (SQL callers,
-- the outbox triggers) now calls it, and its notes take the session's actor.
CREATE FUNCTION jet.add_order_note(
    p_merchant_order_id text,
    p_author text,
    p_body text,
    p_noted_at timestamptz,
    p_kind text,
    p_source text,
    p_dedupe_key text,
    p_actor text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key, actor)
    VALUES (p_merchant_order_id, p_noted_at, p_author, p_kind, p_body, p_source, p_dedupe_key, nullif(p_actor, ''))
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
    RETURNING note_id INTO new_id;
    IF new_id IS NULL THEN
        SELECT note_id INTO new_id FROM jet.order_notes
        WHERE merchant_order_id = p_merchant_order_id AND dedupe_key = p_dedupe_key;
    END IF;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION jet.add_order_note(text, text, text, timestamptz, text, text, text, text) IS 'Append a note to an order on behalf of p_actor (NULL: the session''s jet.actor, if any) and return its note_id; with a dedupe_key, writing the same note again returns the existing id.';

CREATE OR REPLACE FUNCTION jet.add_order_note(
    p_merchant_order_id text,
    p_author text,
    p_body text,
    p_noted_at timestamptz,
    p_kind text DEFAULT 'system',
    p_source text DEFAULT NULL,
    p_dedupe_key text DEFAULT NULL
) RETURNS bigint LANGUAGE sql AS $$
    SELECT jet.add_order_note(p_merchant_order_id, p_author, p_body, p_noted_at, p_kind, p_source, p_dedupe_key,
                              NULL::text)
$$;

-- Appending a column keeps every reader of the view working.
CREATE OR REPLACE VIEW jet.order_history AS
SELECT merchant_order_id, note_id, noted_at, author, kind, body, source, actor
FROM jet.order_notes
ORDER BY merchant_order_id, note_id;
COMMENT ON VIEW jet.order_history IS 'Every order''s notes in the order they were written (note_id), so an order''s history reads top to bottom; actor names the person behind a note.';

-- ---------------------------------------------------------------- the timeline

-- One place that reads an order's whole story, Jet's side and ours, in time order. The
-- order manager reads only this view, so a later single timeline mechanism replaces
-- this one definition.
CREATE VIEW jet.order_timeline AS
SELECT merchant_order_id, at, phase, side, who, actor, kind, body, source, seq
FROM (
    -- phase orders events of one instant: Jet's own dated events, then ours, then what a
    -- run saw at Jet (it looks after it has written, at the same logical time).
    SELECT n.merchant_order_id, n.noted_at AS at, 1 AS phase, 'ours' AS side, n.author AS who, n.actor, n.kind,
           n.body, n.source, n.note_id AS seq
    FROM jet.order_notes n
    UNION ALL
    -- Jet's events; seq keeps Jet's lifecycle order among events of one instant.
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
    SELECT h.merchant_order_id, h.observed_at, 2, 'jet', 'Jet', NULL, 'jet',
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
COMMENT ON VIEW jet.order_timeline IS 'An order''s whole story in time order: Jet''s side (placed, released, acknowledgement recorded, every status or exception state first seen, returns opened) and ours (every note: decisions, actions and their outcomes, shipments, returns, refunds, people''s notes). Key: none (read per merchant_order_id, in row order).';
COMMENT ON COLUMN jet.order_timeline.at IS 'When it happened (UTC): Jet''s own time for Jet''s dates, the observing run''s time for statuses first seen, the note''s time for ours.';
COMMENT ON COLUMN jet.order_timeline.side IS 'jet (what Jet did or showed) or ours (what the pipelines and people did).';
COMMENT ON COLUMN jet.order_timeline.who IS 'Jet, a system component (system:outbox, ...) or the person who wrote a note.';
COMMENT ON COLUMN jet.order_timeline.actor IS 'The Airflow user behind the event, when a person acted.';
COMMENT ON COLUMN jet.order_timeline.phase IS 'Order of events of one instant: 0 Jet''s own dated events, 1 ours, 2 statuses a run saw at Jet (after its own writes).';
COMMENT ON COLUMN jet.order_timeline.seq IS 'Order within one instant (Jet''s events first): Jet''s lifecycle order for Jet''s events (placed 0, released 10, acknowledged 20-21, inprogress 31, complete 41, returns 50), the note id for ours.';
