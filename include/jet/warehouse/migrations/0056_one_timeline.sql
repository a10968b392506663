-- One timeline, written one way: a trigger on the table where each fact lands.
--
-- Before: decisions and outbox actions got their notes from triggers (0007), shipments,
-- returns and refunds from Python calls beside their INSERTs, and Jet's side (placed,
-- released, each status first seen, returns opened) was a view union that
-- jet.order_history did not show. A withdrawal by Jet or a `complete` with nothing
-- shipped never reached jet.order_history.
--
-- Now every event of an order is a row of jet.order_notes, written by a trigger on its
-- source table: jet.orders (placed, released, acknowledgement recorded), the landing's
-- jet.order_status_history (each status and exception state first seen), jet.decisions,
-- jet.actions (queued, and each settled state), jet.shipment_requests (recorded,
-- refused), jet.order_shipments (confirmed by Jet, or a shipment Jet shows that we did
-- not send), jet.returns (opened, each status), jet.refunds (requested, each status).
-- People's notes are rows of their own (jet_add_order_note). jet.order_history reads
-- the notes, in time order, and jet.order_timeline is the same rows under the order
-- manager's column names.
--
-- Why triggers and not one view union over the sources: the sources change in place
-- (an action's state, a refund's or return's status, the order's status), so a view
-- sees only the latest; the person who acted is known only to the writing session
-- (jet.actor), which a trigger stamps and a view cannot see; and a trigger fires for
-- every writer (a DAG, the WMS inserting shipment rows, psql), so no code path can
-- forget its note. The notes are append-only, so the story, once told, stays.
--
-- Each note_* function below takes the ids to (re)note and is idempotent (dedupe keys):
-- the triggers call them for the rows a statement touched, and this migration calls
-- them once over everything already landed.

-- ---------------------------------------------------------------- notes may be Jet's

ALTER TABLE jet.order_notes DROP CONSTRAINT order_notes_kind_check;
ALTER TABLE jet.order_notes ADD CONSTRAINT order_notes_kind_check CHECK (kind IN ('user', 'system', 'jet'));
COMMENT ON COLUMN jet.order_notes.kind IS 'user (written by a person), system (written by the pipelines: decisions, actions, shipments, returns, refunds) or jet (what Jet did or showed, as the pipelines landed it).';
COMMENT ON COLUMN jet.order_notes.source IS 'What the note is about: decision:<id>, action:<id>, shipment_request:<id>, shipment:<key>, return:<id>, refund:<id>, order:placed|released|acknowledged, status:<Jet status>; the run key for a person''s note.';

-- Jet's events are Jet's, even when a person's run landed them.
CREATE FUNCTION jet.stamp_note_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind <> 'jet' THEN
        NEW.actor := coalesce(NEW.actor, jet.session_actor());
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION jet.stamp_note_actor() IS 'Trigger: a note inserted without an actor takes the session''s (jet.session_actor()), except Jet''s own events.';
DROP TRIGGER order_notes_actor ON jet.order_notes;
-- The WHEN clause spares the function call for the landing's many Jet notes.
CREATE TRIGGER order_notes_actor BEFORE INSERT ON jet.order_notes
    FOR EACH ROW WHEN (NEW.actor IS NULL AND NEW.kind <> 'jet') EXECUTE FUNCTION jet.stamp_note_actor();

-- ---------------------------------------------------------------- Jet's side

CREATE FUNCTION jet.note_order_dates(p_order_ids text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key)
    SELECT o.merchant_order_id, e.at, 'Jet', 'jet', e.body, e.source, e.source
    FROM jet.orders o
    CROSS JOIN LATERAL (VALUES
        (o.order_placed_at, format('order %s placed by the customer', o.reference_order_id), 'order:placed'),
        (o.ready_at, format('released by Jet (fraud check passed): acknowledge by %s UTC',
                            to_char((o.ready_at + interval '15 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
         'order:released'),
        (o.acknowledged_at, format('Jet recorded the acknowledgement: %s', coalesce(o.acknowledgement_status, 'unknown')),
         'order:acknowledged')
    ) AS e (at, body, source)
    WHERE o.merchant_order_id = ANY (p_order_ids) AND e.at IS NOT NULL
    ORDER BY o.merchant_order_id, e.at
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_order_dates(text[]) IS 'Note Jet''s own dates of these orders (placed, released, acknowledgement recorded), once each.';

-- What a run sees at Jet, it sees after everything already noted on the order: a run
-- is stamped with its logical time, but the writes before it settled at the wall clock
-- (a manual run writes, then re-reads; a scheduled refresh runs after its logical
-- time). So a status first seen, or a shipment Jet shows, reads at the latest of the
-- run's time and the order's notes already written: "Jet shows the order complete"
-- never comes before the cancel that completed it.
CREATE FUNCTION jet.seen_after(p_merchant_order_id text, p_observed_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT greatest(p_observed_at,
                    (SELECT max(n.noted_at) FROM jet.order_notes n
                     WHERE n.merchant_order_id = p_merchant_order_id AND n.kind <> 'jet'))
$$;
COMMENT ON FUNCTION jet.seen_after(text, timestamptz) IS 'When a run''s observation of an order reads on its timeline: the later of the run''s time and the order''s notes of ours already written (their writes came before the observation).';

-- p_backfill: for statuses landed before this migration, the notes written since are
-- not "before" them; they read as the old timeline view read them (after the same
-- run's own writes only).
CREATE FUNCTION jet.note_statuses_seen(p_order_ids text[], p_backfill boolean DEFAULT false) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key)
    SELECT h.merchant_order_id,
           CASE WHEN NOT p_backfill THEN jet.seen_after(h.merchant_order_id, h.observed_at)
                ELSE greatest(h.observed_at,
                              (SELECT max(n.noted_at)
                               FROM jet.actions a
                               JOIN jet.order_notes n
                                 ON n.merchant_order_id = a.merchant_order_id AND n.source = 'action:' || a.action_id
                               WHERE a.merchant_order_id = h.merchant_order_id
                                 AND left(h.batch_key, length(a.requested_by) + 1) = a.requested_by || '/'))
           END,
           'Jet', 'jet',
           format('Jet shows the order %s', h.status) || coalesce(' (' || nullif(h.exception_state, '') || ')', ''),
           'status:' || h.status,
           'status:' || h.status || ':' || h.exception_state
    FROM jet.order_status_history h
    WHERE h.merchant_order_id = ANY (p_order_ids)
    ORDER BY h.merchant_order_id, h.observed_at
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_statuses_seen(text[], boolean) IS 'Note each (status, exception state) of these orders first seen by the landing (jet.order_status_history), once each: Jet''s withdrawal and a complete with nothing shipped included.';

CREATE FUNCTION jet.note_shipments_seen(p_order_ids text[], p_backfill boolean DEFAULT false) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key, actor)
    SELECT s.merchant_order_id,
           CASE WHEN p_backfill THEN o.updated_at ELSE jet.seen_after(s.merchant_order_id, o.updated_at) END,
           CASE WHEN r.shipment_request_id IS NULL THEN 'Jet' ELSE 'system:fulfillment' END,
           CASE WHEN r.shipment_request_id IS NULL THEN 'jet' ELSE 'system' END,
           CASE WHEN r.shipment_request_id IS NULL
                THEN format('Jet shows shipment %s: %s unit(s) shipped, %s cancelled',
                            coalesce(s.alt_shipment_id, s.shipment_key), sum(s.shipped_qty), sum(s.cancelled_qty))
                ELSE format('shipment %s confirmed by Jet: %s unit(s) shipped, %s cancelled',
                            r.alt_shipment_id, sum(s.shipped_qty), sum(s.cancelled_qty)) END,
           coalesce('shipment_request:' || r.shipment_request_id, 'shipment:' || s.shipment_key),
           coalesce('shipment_request:' || r.shipment_request_id || ':confirmed', 'shipment:' || s.shipment_key),
           r.actor
    FROM jet.order_shipments s
    JOIN jet.orders o USING (merchant_order_id)
    LEFT JOIN jet.shipment_requests r
           ON r.merchant_order_id = s.merchant_order_id AND r.alt_shipment_id = s.alt_shipment_id
    WHERE s.merchant_order_id = ANY (p_order_ids)
    GROUP BY s.merchant_order_id, s.shipment_key, s.alt_shipment_id, o.updated_at, r.shipment_request_id,
             r.alt_shipment_id, r.actor
    ORDER BY s.merchant_order_id, s.shipment_key
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_shipments_seen(text[], boolean) IS 'Note each shipment Jet shows on these orders, once: ours as confirmed (dated by the landing run), any other as Jet''s.';

CREATE FUNCTION jet.note_returns(p_order_ids text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key)
    SELECT r.merchant_order_id, e.at, 'Jet', 'jet', e.body, 'return:' || r.merchant_return_authorization_id, e.key
    FROM jet.returns r
    JOIN jet.orders o USING (merchant_order_id)
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(i.return_quantity), 0) AS units, string_agg(DISTINCT i.reason, ', ') AS reasons,
               sum(coalesce(i.refund_principal, 0) + coalesce(i.refund_tax, 0) + coalesce(i.refund_shipping_cost, 0)
                   + coalesce(i.refund_shipping_tax, 0)) AS refunded
        FROM jet.return_items i WHERE i.merchant_return_authorization_id = r.merchant_return_authorization_id
    ) i
    CROSS JOIN LATERAL (VALUES
        (r.return_date,
         format('customer opened return %s (%s unit(s)%s)',
                coalesce(r.reference_return_authorization_id, r.merchant_return_authorization_id), i.units,
                coalesce(': ' || i.reasons, '')),
         'return:' || r.merchant_return_authorization_id || ':opened'),
        (CASE WHEN r.return_status <> 'created' THEN coalesce(r.completed_at, r.updated_at) END,
         format('return %s is %s at Jet', r.merchant_return_authorization_id, r.return_status)
             || CASE WHEN r.return_status = 'completed by merchant' THEN format(': %s USD refunded', i.refunded) ELSE '' END,
         'return:' || r.merchant_return_authorization_id || ':' || r.return_status)
    ) AS e (at, body, key)
    WHERE r.merchant_order_id = ANY (p_order_ids) AND e.at IS NOT NULL
    ORDER BY r.merchant_order_id, e.at
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_returns(text[]) IS 'Note each return of these orders once when opened (Jet''s return date) and once per status it reaches; returns of orders not landed yet wait for their order.';

-- ---------------------------------------------------------------- ours

CREATE FUNCTION jet.note_shipment_requests(p_request_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key, actor)
    SELECT r.merchant_order_id, e.at, 'system:fulfillment', 'system', e.body,
           'shipment_request:' || r.shipment_request_id, e.key, r.actor
    FROM jet.shipment_requests r
    CROSS JOIN LATERAL (
        SELECT string_agg(l.merchant_sku || ' ' || concat_ws(' and ',
                              CASE WHEN l.quantity_shipped > 0 THEN 'ships ' || l.quantity_shipped END,
                              CASE WHEN l.quantity_cancelled > 0 THEN 'cancels ' || l.quantity_cancelled END),
                          ', ' ORDER BY l.merchant_sku) AS summary,
               sum(l.quantity_shipped) AS shipped
        FROM jet.shipment_request_lines l WHERE l.shipment_request_id = r.shipment_request_id
    ) l
    CROSS JOIN LATERAL (VALUES
        (r.requested_at,
         format('shipment %s recorded: %s', r.alt_shipment_id, coalesce(l.summary, 'no lines'))
             || CASE WHEN l.shipped > 0 THEN format(' via %s %s', r.carrier, r.tracking_number) ELSE '' END,
         'shipment_request:' || r.shipment_request_id || ':recorded'),
        (r.problem_at,
         format('shipment request %s refused, not sent to Jet: %s', r.shipment_request_id, r.problem),
         'shipment_request:' || r.shipment_request_id || ':refused')
    ) AS e (at, body, key)
    WHERE r.shipment_request_id = ANY (p_request_ids) AND e.at IS NOT NULL
      AND (e.key LIKE '%:recorded' OR r.problem IS NOT NULL)
    ORDER BY r.shipment_request_id, e.at
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_shipment_requests(bigint[]) IS 'Note each shipment request once when recorded (with its units, carrier and tracking) and once if the upload refused it; signed with the request''s actor.';

CREATE FUNCTION jet.note_refunds(p_alt_refund_ids text[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key, actor)
    SELECT f.merchant_order_id, e.at, 'system:refunds', 'system', e.body, 'refund:' || f.alt_refund_id, e.key, f.actor
    FROM jet.refunds f
    CROSS JOIN LATERAL (
        SELECT sum(i.quantity) AS units, sum(i.principal + i.tax + i.shipping_cost + i.shipping_tax) AS total,
               min(i.refund_reason) AS reason
        FROM jet.refund_items i WHERE i.alt_refund_id = f.alt_refund_id
    ) i
    CROSS JOIN LATERAL (VALUES
        (f.requested_at,
         format('refund %s requested: %s unit(s), %s USD (%s)', f.alt_refund_id, coalesce(i.units, 0),
                coalesce(i.total, 0), coalesce(i.reason, 'no lines')),
         'refund:' || f.alt_refund_id || ':requested'),
        (CASE WHEN f.refund_status IS NOT NULL THEN coalesce(f.status_checked_at, f.requested_at) END,
         format('refund %s is %s at Jet', f.alt_refund_id, f.refund_status),
         'refund:' || f.alt_refund_id || ':' || f.refund_status)
    ) AS e (at, body, key)
    WHERE f.alt_refund_id = ANY (p_alt_refund_ids) AND e.at IS NOT NULL
    ORDER BY f.alt_refund_id, e.at
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
$$;
COMMENT ON FUNCTION jet.note_refunds(text[]) IS 'Note each merchant refund once when requested (units, total, reason) and once per status Jet gives it; signed with the refund''s actor.';

-- ---------------------------------------------------------------- the triggers

-- Landing writes orders, statuses and shipments in batches: statement triggers with
-- transition tables note a whole batch in one INSERT.
CREATE FUNCTION jet.note_landed_orders() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text[];
BEGIN
    SELECT array_agg(merchant_order_id) INTO ids FROM landed;
    IF ids IS NOT NULL THEN
        PERFORM jet.note_order_dates(ids);
        -- A return can land before its order: its notes wait for the order.
        IF TG_OP = 'INSERT' THEN
            PERFORM jet.note_returns(ids);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_note_insert AFTER INSERT ON jet.orders
    REFERENCING NEW TABLE AS landed FOR EACH STATEMENT EXECUTE FUNCTION jet.note_landed_orders();
CREATE TRIGGER orders_note_update AFTER UPDATE ON jet.orders
    REFERENCING NEW TABLE AS landed FOR EACH STATEMENT EXECUTE FUNCTION jet.note_landed_orders();

CREATE FUNCTION jet.note_landed_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM jet.note_statuses_seen(ARRAY(SELECT DISTINCT merchant_order_id FROM landed));
    RETURN NULL;
END
$$;
CREATE TRIGGER order_status_history_note AFTER INSERT ON jet.order_status_history
    REFERENCING NEW TABLE AS landed FOR EACH STATEMENT EXECUTE FUNCTION jet.note_landed_statuses();

CREATE FUNCTION jet.note_landed_shipments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM jet.note_shipments_seen(ARRAY(SELECT DISTINCT merchant_order_id FROM landed));
    RETURN NULL;
END
$$;
CREATE TRIGGER order_shipments_note_insert AFTER INSERT ON jet.order_shipments
    REFERENCING NEW TABLE AS landed FOR EACH STATEMENT EXECUTE FUNCTION jet.note_landed_shipments();
CREATE TRIGGER order_shipments_note_update AFTER UPDATE ON jet.order_shipments
    REFERENCING NEW TABLE AS landed FOR EACH STATEMENT EXECUTE FUNCTION jet.note_landed_shipments();

-- A shipment request, a return and a refund are written with their lines after them, in
-- the same transaction: their notes are written at commit (deferred), when the lines
-- are there to summarise.
CREATE FUNCTION jet.note_changed_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'shipment_requests' THEN PERFORM jet.note_shipment_requests(ARRAY[NEW.shipment_request_id]);
        WHEN 'returns' THEN PERFORM jet.note_returns(ARRAY[NEW.merchant_order_id]);
        WHEN 'refunds' THEN PERFORM jet.note_refunds(ARRAY[NEW.alt_refund_id]);
    END CASE;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.note_changed_row() IS 'Trigger (deferred to commit): note a shipment request, return or refund that was inserted or changed.';
CREATE CONSTRAINT TRIGGER shipment_requests_note AFTER INSERT OR UPDATE ON jet.shipment_requests
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jet.note_changed_row();
CREATE CONSTRAINT TRIGGER returns_note AFTER INSERT OR UPDATE ON jet.returns
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jet.note_changed_row();
CREATE CONSTRAINT TRIGGER refunds_note AFTER INSERT OR UPDATE ON jet.refunds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jet.note_changed_row();

-- ---------------------------------------------------------------- what is already there

SELECT jet.note_order_dates(ARRAY(SELECT merchant_order_id FROM jet.orders));
SELECT jet.note_statuses_seen(ARRAY(SELECT DISTINCT merchant_order_id FROM jet.order_status_history), true);
SELECT jet.note_shipment_requests(ARRAY(SELECT shipment_request_id FROM jet.shipment_requests));
SELECT jet.note_shipments_seen(ARRAY(SELECT DISTINCT merchant_order_id FROM jet.order_shipments), true);
SELECT jet.note_returns(ARRAY(SELECT DISTINCT merchant_order_id FROM jet.returns));
SELECT jet.note_refunds(ARRAY(SELECT alt_refund_id FROM jet.refunds));

-- ---------------------------------------------------------------- reading it

CREATE OR REPLACE VIEW jet.order_history AS
SELECT merchant_order_id, note_id, noted_at, author, kind, body, source, actor,
       CASE WHEN kind = 'jet' THEN 'jet' ELSE 'ours' END AS side,
       -- Events of one instant: Jet's own dated events, then ours, then what a run saw
       -- at Jet (it looks after it has written, at the same logical time).
       CASE WHEN kind = 'jet' AND (source LIKE 'status:%' OR source LIKE 'shipment:%') THEN 2
            WHEN kind = 'jet' THEN 0 ELSE 1 END AS phase,
       -- Within one instant: Jet's lifecycle order for Jet's events, write order for ours.
       CASE WHEN kind <> 'jet' THEN note_id
            WHEN source = 'order:placed' THEN 0
            WHEN source = 'order:released' THEN 10
            WHEN source = 'order:acknowledged' THEN 20
            WHEN source LIKE 'status:%'
                THEN coalesce(10 * array_position(ARRAY['ready', 'acknowledged', 'inprogress', 'complete'],
                                                  substr(source, 8)) + 1, 45)
            WHEN source LIKE 'shipment:%' THEN 46
            ELSE 50 END AS seq
FROM jet.order_notes
ORDER BY merchant_order_id, noted_at, phase, seq;
COMMENT ON VIEW jet.order_history IS 'An order''s whole story, one row per event, written by triggers where each fact lands: Jet''s side (kind jet: placed, released, acknowledgement recorded, each status and exception state first seen - a withdrawal included -, shipments Jet shows, returns) and ours (decisions, every outbox action and its outcome, shipments recorded, refused and confirmed, refunds), people''s notes, and who acted (actor). Rows come in time order (merchant_order_id, noted_at, phase, seq): SELECT noted_at, side, author, actor, body FROM jet.order_history WHERE merchant_order_id = ''...''. Key: note_id.';
COMMENT ON COLUMN jet.order_history.side IS 'jet (what Jet did or showed) or ours (what the pipelines and people did).';
COMMENT ON COLUMN jet.order_history.phase IS 'Order of events of one instant: 0 Jet''s own dated events, 1 ours, 2 what a run saw at Jet (statuses, shipments: after the writes before it).';
COMMENT ON COLUMN jet.order_history.seq IS 'Order within one instant: Jet''s lifecycle order for Jet''s events (placed 0, released 10, acknowledged 20-21, inprogress 31, complete 41, shipments 46, returns 50), the note id for ours.';

DROP VIEW jet.order_timeline;
CREATE VIEW jet.order_timeline AS
SELECT merchant_order_id, noted_at AS at, phase, side, author AS who, actor, kind, body, source, seq
FROM jet.order_history;
COMMENT ON VIEW jet.order_timeline IS 'jet.order_history under the order manager''s column names (at, who). Read per merchant_order_id, ORDER BY at, phase, seq. Key: none.';
COMMENT ON COLUMN jet.order_timeline.at IS 'When it happened (UTC): Jet''s own time for Jet''s dates, the note''s time for ours; for a status first seen, the observing run''s time, or when that run''s own writes to the order settled if later.';
COMMENT ON COLUMN jet.order_timeline.who IS 'Jet, a system component (system:outbox, ...) or the person who wrote a note.';
COMMENT ON COLUMN jet.order_timeline.actor IS 'The Airflow user behind the event, when a person acted.';
