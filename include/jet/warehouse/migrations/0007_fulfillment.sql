-- Fulfilment, returns, refunds, order notes and the internal status map.
--
-- Writes to Jet (shipments, return completions, refunds) go through the outbox of
-- migration 0003 (jet.actions): committed before the call, settled by re-reading Jet
-- when the outcome is unknown. One action per (order, kind) stays the rule; an order
-- may ship several times, so these kinds carry the object they act on:
--   ship:<shipment_request_id>   complete_return:<return id>   refund:<alt_refund_id>
-- Money is numeric (USD); times are timestamptz (UTC).

-- ---------------------------------------------------------------- outbox kinds

ALTER TABLE jet.actions DROP CONSTRAINT actions_kind_check;
ALTER TABLE jet.actions ADD CONSTRAINT actions_kind_check CHECK (
    kind IN ('acknowledge', 'reject', 'cancel', 'directed_cancel', 'cancel_units')
    OR kind ~ '^(ship|complete_return|refund):[A-Za-z0-9._-]{1,80}$'
);
COMMENT ON COLUMN jet.actions.kind IS 'acknowledge: PUT acknowledge accepted. reject / cancel: PUT acknowledge rejected (reject = order short of stock; cancel = unknown SKU, no stock on a single-line order, or the operator cancelling before acknowledgement). directed_cancel: PUT shipped cancelling the units Jet asked to cancel. cancel_units: PUT shipped cancelling an acknowledged order''s open units (operator). ship:<shipment_request_id>: PUT shipped of a merchant shipment (jet.shipment_requests). complete_return:<return id>: PUT returns/{id}/complete. refund:<alt_refund_id>: POST refunds/{order}/{alt_refund_id}.';

-- ---------------------------------------------------------------- order notes (append-only)

CREATE TABLE jet.order_notes (
    note_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_order_id text        NOT NULL REFERENCES jet.orders,
    noted_at          timestamptz NOT NULL,
    author            text        NOT NULL CHECK (author <> ''),
    kind              text        NOT NULL CHECK (kind IN ('user', 'system')),
    body              text        NOT NULL CHECK (body <> ''),
    source            text,
    dedupe_key        text,
    recorded_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (merchant_order_id, dedupe_key)
);
CREATE INDEX order_notes_order_idx ON jet.order_notes (merchant_order_id, note_id);
COMMENT ON TABLE jet.order_notes IS 'An order''s history, append-only: notes by people (DAG jet_add_order_note) and by the system (decisions, outbox actions, shipments, returns, refunds). UPDATE and DELETE are refused by a trigger; an order with notes cannot be deleted. Read it top to bottom with jet.order_history. Key: note_id.';
COMMENT ON COLUMN jet.order_notes.noted_at IS 'When the noted event happened (UTC): the run''s logical time for notes written by a DAG run, the event''s own time for system notes.';
COMMENT ON COLUMN jet.order_notes.author IS 'Who wrote it: a person''s name for user notes; system:<component> for system notes (system:decisions, system:outbox, system:fulfillment, ...).';
COMMENT ON COLUMN jet.order_notes.kind IS 'user (written by a person) or system (written by the pipelines).';
COMMENT ON COLUMN jet.order_notes.source IS 'What the note is about, when it is about a row: decision:<id>, action:<id>, shipment_request:<id>, return:<id>, refund:<id>.';
COMMENT ON COLUMN jet.order_notes.dedupe_key IS 'Makes writing the same note twice (a retried task) a no-op; NULL = never deduplicated.';
COMMENT ON COLUMN jet.order_notes.recorded_at IS 'Wall-clock time the row was inserted (UTC).';

CREATE TRIGGER order_notes_append_only BEFORE UPDATE OR DELETE ON jet.order_notes
    FOR EACH ROW EXECUTE FUNCTION jet.refuse_change();

CREATE FUNCTION jet.add_order_note(
    p_merchant_order_id text,
    p_author text,
    p_body text,
    p_noted_at timestamptz,
    p_kind text DEFAULT 'system',
    p_source text DEFAULT NULL,
    p_dedupe_key text DEFAULT NULL
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO jet.order_notes (merchant_order_id, noted_at, author, kind, body, source, dedupe_key)
    VALUES (p_merchant_order_id, p_noted_at, p_author, p_kind, p_body, p_source, p_dedupe_key)
    ON CONFLICT (merchant_order_id, dedupe_key) DO NOTHING
    RETURNING note_id INTO new_id;
    IF new_id IS NULL THEN
        SELECT note_id INTO new_id FROM jet.order_notes
        WHERE merchant_order_id = p_merchant_order_id AND dedupe_key = p_dedupe_key;
    END IF;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION jet.add_order_note(text, text, text, timestamptz, text, text, text) IS 'Append a note to an order and return its note_id; with a dedupe_key, writing the same note again returns the existing id. Example: SELECT jet.add_order_note(''<order>'', ''system:decisions'', ''held: auto_acknowledge off'', now(), ''system'', ''decision:12'', ''decision:12'');';

-- System notes for the decisions and the outbox, written by triggers so every writer of
-- those tables (scheduled, manual, tests) leaves the same history.
CREATE FUNCTION jet.note_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM jet.add_order_note(
        NEW.merchant_order_id, 'system:decisions',
        format('decided: %s (%s), rules %s, settings v%s', NEW.outcome, array_to_string(NEW.reasons, ', '),
               NEW.rules_version, NEW.settings_version),
        NEW.decided_at, 'system', 'decision:' || NEW.decision_id, 'decision:' || NEW.decision_id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.note_decision() IS 'Trigger: a real decision writes a system note on its order.';
CREATE TRIGGER decisions_note AFTER INSERT ON jet.decisions
    FOR EACH ROW WHEN (NOT NEW.dry_run) EXECUTE FUNCTION jet.note_decision();

CREATE FUNCTION jet.note_action() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM jet.add_order_note(
            NEW.merchant_order_id, 'system:outbox',
            format('queued %s for Jet', NEW.kind) || coalesce(' (' || NEW.reason || ')', '') || ' by ' || NEW.requested_by,
            NEW.created_at, 'system', 'action:' || NEW.action_id, 'action:' || NEW.action_id || ':queued');
    ELSIF NEW.state IN ('applied', 'not_applied', 'unknown', 'failed') THEN
        PERFORM jet.add_order_note(
            NEW.merchant_order_id, 'system:outbox',
            format('%s %s at Jet after %s attempt(s)', NEW.kind,
                   replace(NEW.state, '_', ' '), NEW.attempts) || coalesce(': ' || NEW.last_error, ''),
            coalesce(NEW.settled_at, NEW.updated_at), 'system', 'action:' || NEW.action_id,
            format('action:%s:%s:%s', NEW.action_id, NEW.state, NEW.attempts));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.note_action() IS 'Trigger: an outbox action writes a system note when queued and when its state becomes applied, not applied, unknown or failed.';
CREATE TRIGGER actions_note_insert AFTER INSERT ON jet.actions
    FOR EACH ROW EXECUTE FUNCTION jet.note_action();
CREATE TRIGGER actions_note_state AFTER UPDATE OF state ON jet.actions
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION jet.note_action();

CREATE VIEW jet.order_history AS
SELECT merchant_order_id, note_id, noted_at, author, kind, body, source
FROM jet.order_notes
ORDER BY merchant_order_id, note_id;
COMMENT ON VIEW jet.order_history IS 'Every order''s notes in the order they were written (note_id), so an order''s history reads top to bottom.';

-- ---------------------------------------------------------------- shipments

CREATE SEQUENCE jet.shipment_alt_id_seq;
COMMENT ON SEQUENCE jet.shipment_alt_id_seq IS 'Numbers the alt_shipment_id of shipment requests that do not bring their own.';

CREATE TABLE jet.shipment_requests (
    shipment_request_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_key            text        NOT NULL UNIQUE,
    merchant_order_id      text        NOT NULL REFERENCES jet.orders ON DELETE CASCADE,
    alt_shipment_id        text        NOT NULL UNIQUE
        DEFAULT ('JF-SHP-' || lpad(nextval('jet.shipment_alt_id_seq')::text, 8, '0'))
        CHECK (alt_shipment_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    carrier                text,
    shipping_method        text,
    tracking_number        text,
    ship_date              timestamptz,
    expected_delivery_date timestamptz,
    carrier_pick_up_date   timestamptz,
    ship_from_zip          text,
    rma_number             text,
    days_to_return         integer CHECK (days_to_return >= 0),
    return_address         jsonb,
    requested_by           text        NOT NULL,
    requested_at           timestamptz NOT NULL,
    problem                text,
    problem_at             timestamptz
);
CREATE INDEX shipment_requests_order_idx ON jet.shipment_requests (merchant_order_id);
COMMENT ON TABLE jet.shipment_requests IS 'Shipments recorded by the merchant''s warehouse (DAG jet_ship_order, or the WMS inserting rows), waiting to be uploaded to Jet by jet_fulfillment. A request with no shipped units is a cancellation-only shipment. Key: shipment_request_id; request_key makes recording idempotent. Progress: jet.shipment_request_status.';
COMMENT ON COLUMN jet.shipment_requests.request_key IS 'Idempotency key of the recording (the DAG run key, or the WMS''s own id): recording the same key twice records one shipment.';
COMMENT ON COLUMN jet.shipment_requests.alt_shipment_id IS 'Our shipment id sent to Jet (alt_shipment_id); Jet echoes it on the order, which is how an upload is confirmed and how an unknown outcome is settled.';
COMMENT ON COLUMN jet.shipment_requests.carrier IS 'Carrier, canonical spelling from Jet''s list (jet.api.models.SHIPPING_CARRIERS); NULL for a cancellation-only shipment.';
COMMENT ON COLUMN jet.shipment_requests.shipping_method IS 'Shipping method, canonical spelling from Jet''s list (SHIPPING_METHODS), or Other.';
COMMENT ON COLUMN jet.shipment_requests.ship_date IS 'When the parcel left (response_shipment_date), UTC.';
COMMENT ON COLUMN jet.shipment_requests.ship_from_zip IS 'ZIP code the parcel shipped from (ship_from_zip_code).';
COMMENT ON COLUMN jet.shipment_requests.rma_number IS 'Optional RMA number for returns of these units (sent per line as RMA_number).';
COMMENT ON COLUMN jet.shipment_requests.days_to_return IS 'Optional days the customer has to return these units.';
COMMENT ON COLUMN jet.shipment_requests.return_address IS 'Optional return address {address1, address2, city, state, zip_code} (sent per line as return_location).';
COMMENT ON COLUMN jet.shipment_requests.requested_by IS 'Run key (or user) that recorded the shipment.';
COMMENT ON COLUMN jet.shipment_requests.requested_at IS 'Logical time of the recording run (UTC).';
COMMENT ON COLUMN jet.shipment_requests.problem IS 'Why the upload refused this request (invalid carrier, more units than open, order no longer open at Jet); NULL while fine. A refused request is never sent; record a corrected one.';
COMMENT ON COLUMN jet.shipment_requests.problem_at IS 'Logical time of the run that found the problem.';

CREATE TABLE jet.shipment_request_lines (
    shipment_request_id bigint  NOT NULL REFERENCES jet.shipment_requests ON DELETE CASCADE,
    merchant_sku        text    NOT NULL CHECK (merchant_sku <> ''),
    quantity_shipped    integer NOT NULL DEFAULT 0 CHECK (quantity_shipped >= 0),
    quantity_cancelled  integer NOT NULL DEFAULT 0 CHECK (quantity_cancelled >= 0),
    CHECK (quantity_shipped + quantity_cancelled > 0),
    PRIMARY KEY (shipment_request_id, merchant_sku)
);
COMMENT ON TABLE jet.shipment_request_lines IS 'Units per SKU of a shipment request: shipped, and cancelled (Jet cancels units through the same shipped call). Key: (shipment_request_id, merchant_sku).';
COMMENT ON COLUMN jet.shipment_request_lines.quantity_shipped IS 'Units in the parcel (response_shipment_sku_quantity).';
COMMENT ON COLUMN jet.shipment_request_lines.quantity_cancelled IS 'Units cancelled with this message (response_shipment_cancel_qty).';

CREATE VIEW jet.shipment_request_status AS
SELECT r.shipment_request_id, r.merchant_order_id, r.alt_shipment_id, r.requested_at,
       sum(l.quantity_shipped)::integer AS units_shipped,
       sum(l.quantity_cancelled)::integer AS units_cancelled,
       a.action_id, a.state AS action_state, a.attempts,
       CASE
           WHEN EXISTS (SELECT 1 FROM jet.order_shipments s
                        WHERE s.merchant_order_id = r.merchant_order_id AND s.alt_shipment_id = r.alt_shipment_id)
               THEN 'confirmed'
           WHEN r.problem IS NOT NULL THEN 'refused'
           WHEN a.action_id IS NULL THEN 'pending'
           WHEN a.state = 'applied' THEN 'uploaded'
           WHEN a.state = 'failed' THEN 'failed'
           ELSE 'uploading'
       END AS status,
       r.problem
FROM jet.shipment_requests r
JOIN jet.shipment_request_lines l USING (shipment_request_id)
LEFT JOIN jet.actions a ON a.merchant_order_id = r.merchant_order_id AND a.kind = 'ship:' || r.shipment_request_id
GROUP BY r.shipment_request_id, a.action_id;
COMMENT ON VIEW jet.shipment_request_status IS 'Each shipment request and where it is: pending (not uploaded yet: the order may not be acknowledged), refused (see problem), uploading (action sent or outcome being settled), uploaded (Jet answered 2xx), confirmed (Jet''s order shows the shipment: jet.order_shipments has its alt_shipment_id), failed.';

-- ---------------------------------------------------------------- returns

CREATE TABLE jet.return_payloads (
    merchant_return_authorization_id text        NOT NULL,
    payload_hash                     text        NOT NULL,
    payload                          jsonb       NOT NULL,
    first_seen_at                    timestamptz NOT NULL,
    last_seen_at                     timestamptz NOT NULL,
    PRIMARY KEY (merchant_return_authorization_id, payload_hash)
);
COMMENT ON TABLE jet.return_payloads IS 'Raw landing: every distinct version of every valid return payload Jet served, as JSONB. Key: (merchant_return_authorization_id, payload_hash). Invalid ones go to jet.quarantine (kind return).';

CREATE TABLE jet.returns (
    merchant_return_authorization_id  text PRIMARY KEY,
    reference_return_authorization_id text,
    alt_return_authorization_id       text,
    merchant_order_id                 text        NOT NULL,
    reference_order_id                text,
    alt_order_id                      text,
    return_status                     text        NOT NULL,
    refund_without_return             boolean     NOT NULL DEFAULT false,
    return_date                       timestamptz,
    shipping_carrier                  text,
    tracking_number                   text,
    merchant_return_charge            numeric(14, 2),
    agree_to_return_charge            boolean,
    return_charge_feedback            text,
    completed_at                      timestamptz,
    payload_hash                      text        NOT NULL,
    first_seen_at                     timestamptz NOT NULL,
    updated_at                        timestamptz NOT NULL
);
CREATE INDEX returns_order_idx ON jet.returns (merchant_order_id);
CREATE INDEX returns_status_idx ON jet.returns (return_status);
COMMENT ON TABLE jet.returns IS 'Returns Jet opened on our orders (latest version landed by jet_returns). Key: merchant_return_authorization_id. Not tied to jet.orders by a foreign key: a return may arrive for an order landed later.';
COMMENT ON COLUMN jet.returns.return_status IS 'Jet''s status: created, inprogress, completed by merchant.';
COMMENT ON COLUMN jet.returns.refund_without_return IS 'Jet decided the customer keeps the item and is refunded.';
COMMENT ON COLUMN jet.returns.return_date IS 'When the customer asked for the return (UTC); the completion deadline counts from here (jet.returns_at_risk).';
COMMENT ON COLUMN jet.returns.merchant_return_charge IS 'What Jet charges the merchant for the return (USD), if the merchant agrees.';
COMMENT ON COLUMN jet.returns.agree_to_return_charge IS 'Our answer when completing: true = we pay the charge, false = disputed (return_charge_feedback says why).';
COMMENT ON COLUMN jet.returns.completed_at IS 'completed_date as Jet reports it, else NULL.';
COMMENT ON COLUMN jet.returns.updated_at IS 'Logical time of the run that landed the current version (UTC).';

CREATE TABLE jet.return_items (
    merchant_return_authorization_id text     NOT NULL REFERENCES jet.returns ON DELETE CASCADE,
    order_item_id                    text     NOT NULL,
    merchant_sku                     text,
    title                            text,
    return_quantity                  integer  NOT NULL CHECK (return_quantity >= 0),
    reason                           text,
    requested_principal              numeric(14, 2),
    requested_tax                    numeric(14, 2),
    requested_shipping_cost          numeric(14, 2),
    requested_shipping_tax           numeric(14, 2),
    quantity_returned                integer,
    refund_quantity                  integer,
    refund_feedback                  text,
    notes                            text,
    refund_principal                 numeric(14, 2),
    refund_tax                       numeric(14, 2),
    refund_shipping_cost             numeric(14, 2),
    refund_shipping_tax              numeric(14, 2),
    PRIMARY KEY (merchant_return_authorization_id, order_item_id)
);
COMMENT ON TABLE jet.return_items IS 'Lines of a return: what the customer asked (return_merchant_SKUs) and, once completed, what we granted (items). Key: (merchant_return_authorization_id, order_item_id). Amounts are line totals in USD.';
COMMENT ON COLUMN jet.return_items.return_quantity IS 'Units the customer returns.';
COMMENT ON COLUMN jet.return_items.reason IS 'The customer''s reason (Jet''s return-reason vocabulary).';
COMMENT ON COLUMN jet.return_items.requested_principal IS 'requested_refund_amount.principal: line total the customer asks back (USD).';
COMMENT ON COLUMN jet.return_items.quantity_returned IS 'total_quantity_returned from the completion: units received back.';
COMMENT ON COLUMN jet.return_items.refund_quantity IS 'order_return_refund_qty from the completion: units refunded.';
COMMENT ON COLUMN jet.return_items.refund_feedback IS 'return_refund_feedback: why less than requested was refunded.';
COMMENT ON COLUMN jet.return_items.refund_principal IS 'refund_amount.principal granted (line total, USD).';

CREATE TABLE jet.return_policy (
    version                integer PRIMARY KEY CHECK (version >= 1),
    auto_complete          boolean     NOT NULL,
    auto_accept_reasons    text[]      NOT NULL,
    auto_max_refund        numeric(14, 2) CHECK (auto_max_refund >= 0),
    agree_to_return_charge boolean     NOT NULL,
    complete_within_hours  integer     NOT NULL CHECK (complete_within_hours > 0),
    changed_by             text        NOT NULL,
    note                   text,
    created_at             timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE jet.return_policy IS 'The merchant''s return policy, one row per version, append-only (UPDATE and DELETE refused). The highest version is current (jet.current_return_policy); change it with jet.change_return_policy(...).';
COMMENT ON COLUMN jet.return_policy.auto_complete IS 'On: jet_returns completes, with the full requested refund, every open return whose lines all have a reason in auto_accept_reasons (and whose requested total is within auto_max_refund).';
COMMENT ON COLUMN jet.return_policy.auto_accept_reasons IS 'Return reasons the merchant always accepts (Jet''s reason strings, compared case-insensitively).';
COMMENT ON COLUMN jet.return_policy.auto_max_refund IS 'Largest requested refund (USD, whole return) completed automatically; NULL = no limit.';
COMMENT ON COLUMN jet.return_policy.agree_to_return_charge IS 'Whether automatic completions agree to Jet''s merchant_return_charge.';
COMMENT ON COLUMN jet.return_policy.complete_within_hours IS 'Deadline to complete a return, counted from its return_date (jet.returns_at_risk).';

CREATE TRIGGER return_policy_append_only BEFORE UPDATE OR DELETE ON jet.return_policy
    FOR EACH ROW EXECUTE FUNCTION jet.refuse_change();
CREATE TRIGGER return_policy_no_truncate BEFORE TRUNCATE ON jet.return_policy
    FOR EACH STATEMENT EXECUTE FUNCTION jet.refuse_change();

INSERT INTO jet.return_policy (version, auto_complete, auto_accept_reasons, auto_max_refund, agree_to_return_charge,
                               complete_within_hours, changed_by, note)
VALUES (1, false, ARRAY['No longer want this item', 'Accidental order', 'Unwanted gift', 'Better price found elsewhere'],
        100.00, true, 48, 'migration 0007', 'defaults: manual completion; 48 hours to complete');

CREATE VIEW jet.current_return_policy AS
SELECT * FROM jet.return_policy ORDER BY version DESC LIMIT 1;
COMMENT ON VIEW jet.current_return_policy IS 'The return policy in force: the highest version of jet.return_policy (one row).';

CREATE FUNCTION jet.change_return_policy(
    p_changed_by text,
    p_auto_complete boolean DEFAULT NULL,
    p_auto_accept_reasons text[] DEFAULT NULL,
    p_auto_max_refund numeric DEFAULT NULL,
    p_agree_to_return_charge boolean DEFAULT NULL,
    p_complete_within_hours integer DEFAULT NULL,
    p_note text DEFAULT NULL
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cur jet.return_policy;
BEGIN
    LOCK TABLE jet.return_policy IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO cur FROM jet.return_policy ORDER BY version DESC LIMIT 1;
    INSERT INTO jet.return_policy (version, auto_complete, auto_accept_reasons, auto_max_refund,
                                   agree_to_return_charge, complete_within_hours, changed_by, note)
    VALUES (cur.version + 1,
            coalesce(p_auto_complete, cur.auto_complete),
            coalesce(p_auto_accept_reasons, cur.auto_accept_reasons),
            coalesce(p_auto_max_refund, cur.auto_max_refund),
            coalesce(p_agree_to_return_charge, cur.agree_to_return_charge),
            coalesce(p_complete_within_hours, cur.complete_within_hours),
            p_changed_by, p_note);
    RETURN cur.version + 1;
END
$$;
COMMENT ON FUNCTION jet.change_return_policy(text, boolean, text[], numeric, boolean, integer, text) IS 'Create the next return-policy version; NULL arguments keep the current value. Example: SELECT jet.change_return_policy(''alice'', p_auto_complete => true);';

CREATE FUNCTION jet.returns_at_risk_at(p_at timestamptz)
RETURNS TABLE (
    merchant_return_authorization_id text,
    merchant_order_id                text,
    return_status                    text,
    return_date                      timestamptz,
    deadline                         timestamptz,
    hours_left                       numeric,
    state                            text
) LANGUAGE sql STABLE AS $$
    SELECT r.merchant_return_authorization_id, r.merchant_order_id, r.return_status, r.return_date,
           r.return_date + make_interval(hours => p.complete_within_hours) AS deadline,
           round((extract(epoch FROM (r.return_date + make_interval(hours => p.complete_within_hours)) - p_at)
                  / 3600)::numeric, 1) AS hours_left,
           coalesce(a.state, 'not_started') AS state
    FROM jet.returns r
    CROSS JOIN jet.current_return_policy p
    LEFT JOIN jet.actions a ON a.kind = 'complete_return:' || r.merchant_return_authorization_id
    WHERE r.return_status IN ('created', 'inprogress') AND r.return_date IS NOT NULL
      AND (a.state IS NULL OR a.state NOT IN ('applied', 'sending', 'unknown'))
    ORDER BY deadline, r.merchant_return_authorization_id
$$;
COMMENT ON FUNCTION jet.returns_at_risk_at(timestamptz) IS 'Open returns whose completion is not applied or in flight, as seen at p_at: deadline = return_date + the policy''s complete_within_hours, hours left (negative = overdue). jet_returns logs them with the run''s time.';

CREATE VIEW jet.returns_at_risk AS SELECT * FROM jet.returns_at_risk_at(now());
COMMENT ON VIEW jet.returns_at_risk IS 'Open returns not yet completed, with their completion deadline and hours left, as of now. Most urgent first.';

-- ---------------------------------------------------------------- refunds

CREATE TABLE jet.refunds (
    alt_refund_id           text PRIMARY KEY CHECK (alt_refund_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    merchant_order_id       text        NOT NULL REFERENCES jet.orders ON DELETE CASCADE,
    refund_authorization_id text UNIQUE,
    refund_status           text,
    requested_by            text        NOT NULL,
    requested_at            timestamptz NOT NULL,
    status_checked_at       timestamptz,
    decided_at              timestamptz
);
CREATE INDEX refunds_order_idx ON jet.refunds (merchant_order_id);
COMMENT ON TABLE jet.refunds IS 'Merchant-initiated refunds (DAG jet_refund_order), recorded before they are posted to Jet. Key: alt_refund_id (our id, in the POST URL); Jet''s refund_authorization_id once known. State followed until accepted or rejected.';
COMMENT ON COLUMN jet.refunds.refund_status IS 'Jet''s refund_status: created, processing, accepted, rejected - customer card not valid, rejected - refund conflicts with returns policy; NULL until posted.';
COMMENT ON COLUMN jet.refunds.requested_at IS 'Logical time of the run that asked for the refund (UTC).';
COMMENT ON COLUMN jet.refunds.status_checked_at IS 'Logical time of the run that last read the refund''s state.';
COMMENT ON COLUMN jet.refunds.decided_at IS 'Logical time of the run that first saw it accepted or rejected.';

CREATE TABLE jet.refund_items (
    alt_refund_id     text    NOT NULL REFERENCES jet.refunds ON DELETE CASCADE,
    order_item_id     text    NOT NULL,
    merchant_sku      text    NOT NULL,
    quantity          integer NOT NULL CHECK (quantity > 0),
    quantity_returned integer NOT NULL CHECK (quantity_returned >= 0),
    principal         numeric(14, 2) NOT NULL CHECK (principal >= 0),
    tax               numeric(14, 2) NOT NULL CHECK (tax >= 0),
    shipping_cost     numeric(14, 2) NOT NULL CHECK (shipping_cost >= 0),
    shipping_tax      numeric(14, 2) NOT NULL CHECK (shipping_tax >= 0),
    refund_reason     text    NOT NULL,
    refund_feedback   text,
    notes             text,
    PRIMARY KEY (alt_refund_id, order_item_id)
);
COMMENT ON TABLE jet.refund_items IS 'Lines of a merchant refund. Key: (alt_refund_id, order_item_id). Amounts are line totals (USD).';
COMMENT ON COLUMN jet.refund_items.quantity IS 'Units refunded (order_return_refund_qty).';
COMMENT ON COLUMN jet.refund_items.quantity_returned IS 'Units the customer sent back (total_quantity_returned).';
COMMENT ON COLUMN jet.refund_items.refund_reason IS 'Jet''s refund_reason (REFUND_REASONS).';
COMMENT ON COLUMN jet.refund_items.refund_feedback IS 'Jet''s refund_feedback (REFUND_FEEDBACK), optional.';

-- ---------------------------------------------------------------- the internal status map

CREATE VIEW jet.order_status_map AS
WITH ordered AS (
    SELECT merchant_order_id, sum(quantity)::integer AS units FROM jet.order_items GROUP BY 1
),
done AS (
    SELECT merchant_order_id, sum(shipped_qty)::integer AS shipped, sum(cancelled_qty)::integer AS cancelled
    FROM jet.order_shipments GROUP BY 1
),
ack AS (
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
       CASE
           WHEN coalesce(ref.accepted, 0) > 0 OR coalesce(ret.returned_refund, 0) > 0 THEN 'refunded'
           WHEN coalesce(ret.returns, 0) > 0 THEN 'returned'
           WHEN ack.kind = 'reject' THEN 'rejected'
           WHEN ack.kind = 'cancel' THEN 'cancelled'
           WHEN o.exception_state = 'exception - order rejected' THEN 'rejected'
           WHEN o.status = 'complete' AND coalesce(done.shipped, 0) = 0 THEN 'cancelled'
           WHEN coalesce(done.shipped, 0) > 0
                AND coalesce(done.shipped, 0) + coalesce(done.cancelled, 0) >= ordered.units THEN 'shipped'
           WHEN coalesce(done.shipped, 0) > 0 THEN 'partially shipped'
           WHEN o.status IN ('acknowledged', 'inprogress') OR ack.kind = 'acknowledge' THEN 'acknowledged'
           WHEN held.merchant_order_id IS NOT NULL THEN 'held'
           ELSE 'new'
       END AS internal_status,
       o.status AS jet_status,
       o.exception_state,
       ack.kind AS acknowledgement_action,
       ack.state AS acknowledgement_state,
       ordered.units AS units_ordered,
       coalesce(done.shipped, 0) AS units_shipped,
       coalesce(done.cancelled, 0) AS units_cancelled,
       coalesce(ret.returns, 0) AS returns,
       coalesce(ref.requested, 0) AS refunds_requested,
       coalesce(ref.accepted, 0) AS refunds_accepted
FROM jet.orders o
LEFT JOIN ordered USING (merchant_order_id)
LEFT JOIN done USING (merchant_order_id)
LEFT JOIN ack USING (merchant_order_id)
LEFT JOIN held USING (merchant_order_id)
LEFT JOIN ret USING (merchant_order_id)
LEFT JOIN ref USING (merchant_order_id);
COMMENT ON VIEW jet.order_status_map IS 'Our internal status of every order, from Jet''s status plus our actions, first matching rule wins: refunded (a merchant refund accepted, or a completed return that refunded money) > returned (a return exists) > rejected (our reject call, or Jet''s exception - order rejected) > cancelled (our cancel call, or complete with nothing shipped: withdrawn or every unit cancelled) > shipped (units shipped and every unit shipped or cancelled) > partially shipped (some shipped, some open) > acknowledged (Jet acknowledged/inprogress, or our acknowledgement in flight) > held (decision hold, waiting for jet_approve_order) > new. Units from Jet''s own view of the shipments (jet.order_shipments). Key: merchant_order_id.';
COMMENT ON COLUMN jet.order_status_map.internal_status IS 'new, held, acknowledged, partially shipped, shipped, cancelled, rejected, returned, refunded.';
COMMENT ON COLUMN jet.order_status_map.jet_status IS 'Jet''s status as last landed: ready, acknowledged, inprogress, complete.';

CREATE VIEW analytics.order_status AS SELECT * FROM jet.order_status_map;
COMMENT ON VIEW analytics.order_status IS 'Internal order status for analysts (see jet.order_status_map for the rules): one row per order. Key: merchant_order_id.';
