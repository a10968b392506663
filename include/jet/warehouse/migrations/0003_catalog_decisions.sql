-- Catalog and stock, versioned settings, decisions and the outbox of writes to Jet.
--
-- The exactly-once contract (docs/architecture.md) lives here as constraints, not only as code:
--   * one action per (order, kind), ever;
--   * at most one acknowledgement call per order, ever: an order can never have both
--     an acknowledge and a reject/cancel action (partial unique index below);
--   * at most one real (non dry-run) decision per order;
--   * settings versions are append-only (a trigger refuses UPDATE and DELETE).
-- Money is numeric; times are timestamptz (UTC).

-- ---------------------------------------------------------------- catalog and stock

CREATE TABLE jet.products (
    sku           text PRIMARY KEY CHECK (sku <> ''),
    title         text           NOT NULL,
    unit_cost     numeric(14, 2) NOT NULL CHECK (unit_cost >= 0),
    replenishable boolean        NOT NULL DEFAULT false,
    archived      boolean        NOT NULL DEFAULT false,
    updated_at    timestamptz    NOT NULL
);
COMMENT ON TABLE jet.products IS 'The merchant''s catalog: one row per merchant SKU, loaded from the merchant''s CSV export (make load-inventory, DAG jet_load_inventory). Key: sku. A SKU ordered on Jet but absent here is unknown: the order is cancelled.';
COMMENT ON COLUMN jet.products.sku IS 'Merchant SKU, exactly as on Jet order lines (merchant_sku).';
COMMENT ON COLUMN jet.products.unit_cost IS 'Cost of goods per unit (USD); feeds the per-order P&L.';
COMMENT ON COLUMN jet.products.replenishable IS 'True when the merchant can source more units on demand: lines are accepted even without stock.';
COMMENT ON COLUMN jet.products.archived IS 'No longer sold: counts as having no stock, even when replenishable.';
COMMENT ON COLUMN jet.products.updated_at IS 'When the row was last loaded (the loading run''s time, UTC).';

CREATE TABLE jet.inventory (
    sku              text        NOT NULL REFERENCES jet.products ON DELETE CASCADE,
    fulfillment_node text        NOT NULL CHECK (fulfillment_node <> ''),
    on_hand          integer     NOT NULL CHECK (on_hand >= 0),
    safety_stock     integer     CHECK (safety_stock >= 0),
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (sku, fulfillment_node)
);
COMMENT ON TABLE jet.inventory IS 'Stock per SKU per fulfillment node, loaded with the catalog. Key: (sku, fulfillment_node). Available to new orders = on_hand - jet.promised_units.promised - safety stock.';
COMMENT ON COLUMN jet.inventory.fulfillment_node IS 'Jet fulfillment node id (the node an order ships from).';
COMMENT ON COLUMN jet.inventory.on_hand IS 'Units physically on hand at the node, as the merchant last exported them.';
COMMENT ON COLUMN jet.inventory.safety_stock IS 'Units never offered for this SKU at this node; NULL = use the safety_stock setting.';
COMMENT ON COLUMN jet.inventory.updated_at IS 'When the row was last loaded (the loading run''s time, UTC).';

-- ---------------------------------------------------------------- settings (append-only)

CREATE TABLE jet.settings (
    version                        integer PRIMARY KEY CHECK (version >= 1),
    auto_acknowledge               boolean     NOT NULL,
    accept_regardless_of_inventory boolean     NOT NULL,
    partial_stock_policy           text        NOT NULL CHECK (partial_stock_policy IN ('reject', 'accept_available')),
    safety_stock                   integer     NOT NULL CHECK (safety_stock >= 0),
    changed_by                     text        NOT NULL,
    note                           text,
    created_at                     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE jet.settings IS 'Acknowledgement settings, one row per version, append-only (UPDATE and DELETE are refused). The highest version is current (jet.current_settings); change them with jet.change_settings(...) - no deploy needed. Every decision records the version it used.';
COMMENT ON COLUMN jet.settings.auto_acknowledge IS 'On: orders are acknowledged, rejected or cancelled automatically. Off: every order is held for manual approval (DAG jet_approve_order).';
COMMENT ON COLUMN jet.settings.accept_regardless_of_inventory IS 'On: accept every order whose SKUs are all known, whatever the stock.';
COMMENT ON COLUMN jet.settings.partial_stock_policy IS 'reject: an order short of stock is rejected (SellerCloud''s behaviour); accept_available: accept it and cancel the missing units at shipment.';
COMMENT ON COLUMN jet.settings.safety_stock IS 'Units per SKU and node kept back from new orders, unless jet.inventory.safety_stock overrides it.';
COMMENT ON COLUMN jet.settings.changed_by IS 'Who or what created this version (a user, a DAG run, the migration).';
COMMENT ON COLUMN jet.settings.created_at IS 'Wall-clock time the version was created (UTC).';

CREATE FUNCTION jet.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused; insert a new row instead', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
COMMENT ON FUNCTION jet.refuse_change() IS 'Trigger function for append-only tables: refuses UPDATE and DELETE.';

CREATE TRIGGER settings_append_only BEFORE UPDATE OR DELETE ON jet.settings
    FOR EACH ROW EXECUTE FUNCTION jet.refuse_change();
CREATE TRIGGER settings_no_truncate BEFORE TRUNCATE ON jet.settings
    FOR EACH STATEMENT EXECUTE FUNCTION jet.refuse_change();

INSERT INTO jet.settings (version, auto_acknowledge, accept_regardless_of_inventory, partial_stock_policy,
                          safety_stock, changed_by, note)
VALUES (1, true, false, 'reject', 0, 'migration 0003', 'defaults (SellerCloud''s behaviour)');

CREATE VIEW jet.current_settings AS
SELECT * FROM jet.settings ORDER BY version DESC LIMIT 1;
COMMENT ON VIEW jet.current_settings IS 'The settings in force: the highest version of jet.settings (one row).';

CREATE FUNCTION jet.change_settings(
    p_changed_by text,
    p_auto_acknowledge boolean DEFAULT NULL,
    p_accept_regardless_of_inventory boolean DEFAULT NULL,
    p_partial_stock_policy text DEFAULT NULL,
    p_safety_stock integer DEFAULT NULL,
    p_note text DEFAULT NULL
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cur jet.settings;
BEGIN
    -- Serialise writers so two changes cannot both become version n+1.
    LOCK TABLE jet.settings IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO cur FROM jet.settings ORDER BY version DESC LIMIT 1;
    INSERT INTO jet.settings (version, auto_acknowledge, accept_regardless_of_inventory, partial_stock_policy,
                              safety_stock, changed_by, note)
    VALUES (cur.version + 1,
            coalesce(p_auto_acknowledge, cur.auto_acknowledge),
            coalesce(p_accept_regardless_of_inventory, cur.accept_regardless_of_inventory),
            coalesce(p_partial_stock_policy, cur.partial_stock_policy),
            coalesce(p_safety_stock, cur.safety_stock),
            p_changed_by, p_note);
    RETURN cur.version + 1;
END
$$;
COMMENT ON FUNCTION jet.change_settings(text, boolean, boolean, text, integer, text) IS 'Create the next settings version from the current one; NULL arguments keep the current value. Returns the new version. Example: SELECT jet.change_settings(''alice'', p_auto_acknowledge => false);';

-- ---------------------------------------------------------------- decisions

CREATE TABLE jet.decisions (
    decision_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_order_id text        NOT NULL REFERENCES jet.orders,
    run_key           text        NOT NULL,
    dag_run_id        text,
    decided_at        timestamptz NOT NULL,
    dry_run           boolean     NOT NULL,
    outcome           text        NOT NULL CHECK (outcome IN ('acknowledge', 'reject', 'cancel', 'hold')),
    reasons           text[]      NOT NULL,
    rules_version     text        NOT NULL,
    settings_version  integer     NOT NULL REFERENCES jet.settings,
    inputs            jsonb       NOT NULL,
    UNIQUE (merchant_order_id, run_key)
);
-- One real decision per order, ever; dry runs may decide the same order again and again.
CREATE UNIQUE INDEX decisions_one_real_per_order ON jet.decisions (merchant_order_id) WHERE NOT dry_run;
CREATE INDEX decisions_decided_at_idx ON jet.decisions (decided_at);
COMMENT ON TABLE jet.decisions IS 'One row per order per decision: what the rules decided and from what. Key: decision_id; at most one non dry-run decision per order (dry runs add rows without acting). Written in the same transaction as the intended action (jet.actions), before any call to Jet.';
COMMENT ON COLUMN jet.decisions.run_key IS 'The deciding run (<dag_id>/<logical time>); a re-run of the same run decides nothing new.';
COMMENT ON COLUMN jet.decisions.decided_at IS 'The deciding run''s logical time (UTC), not the wall clock.';
COMMENT ON COLUMN jet.decisions.dry_run IS 'True when decided by a dry run: recorded only, nothing sent to Jet, no stock reserved.';
COMMENT ON COLUMN jet.decisions.outcome IS 'acknowledge (accepted), reject (multi-line order short of stock), cancel (unknown SKU, or single-line order without stock), hold (auto_acknowledge off: waits for jet_approve_order).';
COMMENT ON COLUMN jet.decisions.reasons IS 'Reason codes, most decisive first: AUTO_ACK_OFF, UNKNOWN_SKU, ARCHIVED_SKU, NO_INVENTORY, PARTIAL_STOCK, ACCEPT_REGARDLESS, REPLENISHABLE, IN_STOCK.';
COMMENT ON COLUMN jet.decisions.rules_version IS 'jet.decisions.rules.RULES_VERSION of the code that decided.';
COMMENT ON COLUMN jet.decisions.settings_version IS 'The jet.settings version in force when deciding.';
COMMENT ON COLUMN jet.decisions.inputs IS 'Snapshot of the inputs: the order lines as decided, the products and stock levels (on hand, promised, safety stock) of its SKUs at its node, and the settings. Enough to replay the decision.';

CREATE TABLE jet.decision_lines (
    decision_id   bigint  NOT NULL REFERENCES jet.decisions ON DELETE CASCADE,
    order_item_id text    NOT NULL,
    merchant_sku  text    NOT NULL,
    quantity      integer NOT NULL CHECK (quantity >= 0),
    status        text    NOT NULL CHECK (status IN ('fulfillable', 'no_inventory', 'unknown_sku')),
    reason        text    NOT NULL,
    reserved      integer NOT NULL CHECK (reserved >= 0 AND reserved <= quantity),
    units_to_cancel integer NOT NULL DEFAULT 0 CHECK (units_to_cancel >= 0),
    PRIMARY KEY (decision_id, order_item_id)
);
COMMENT ON TABLE jet.decision_lines IS 'Per-line result of a decision. Key: (decision_id, order_item_id).';
COMMENT ON COLUMN jet.decision_lines.quantity IS 'Units decided: ordered minus units Jet already asked to cancel.';
COMMENT ON COLUMN jet.decision_lines.status IS 'fulfillable, no_inventory or unknown_sku (sent to Jet as fulfillable / nonfulfillable - no inventory / nonfulfillable - invalid merchant SKU).';
COMMENT ON COLUMN jet.decision_lines.reason IS 'Reason code of the line (see jet.decisions.reasons).';
COMMENT ON COLUMN jet.decision_lines.reserved IS 'Units taken from available stock (held orders reserve too, until approved or cancelled).';
COMMENT ON COLUMN jet.decision_lines.units_to_cancel IS 'Units of an accepted line to cancel at shipment (partial_stock_policy accept_available).';

-- ---------------------------------------------------------------- the outbox

CREATE TABLE jet.actions (
    action_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_order_id text        NOT NULL REFERENCES jet.orders,
    kind              text        NOT NULL
        CHECK (kind IN ('acknowledge', 'reject', 'cancel', 'directed_cancel', 'cancel_units')),
    decision_id       bigint      REFERENCES jet.decisions,
    body              jsonb       NOT NULL,
    state             text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'unknown', 'applied', 'not_applied', 'failed')),
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    requested_by      text        NOT NULL,
    reason            text,
    created_at        timestamptz NOT NULL,
    last_sent_at      timestamptz,
    settled_at        timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_error        text,
    UNIQUE (merchant_order_id, kind)
);
-- The acknowledgement call (accepted or rejected) is made once per order, ever: an order
-- can never carry both an acknowledge and a reject/cancel action, nor two of either.
CREATE UNIQUE INDEX actions_one_acknowledgement_per_order ON jet.actions (merchant_order_id)
    WHERE kind IN ('acknowledge', 'reject', 'cancel');
CREATE INDEX actions_open_idx ON jet.actions (kind, state) WHERE state IN ('pending', 'sending', 'unknown', 'not_applied');
COMMENT ON TABLE jet.actions IS 'The outbox: every write to Jet, committed before it is sent. Key: action_id; unique per (order, kind), and one acknowledgement call (acknowledge | reject | cancel) per order ever. A write whose outcome is unknown (timeout, dropped connection, 5xx) is settled by re-reading the order from Jet before anything is re-sent.';
COMMENT ON COLUMN jet.actions.kind IS 'acknowledge: PUT acknowledge accepted. reject / cancel: PUT acknowledge rejected (reject = order short of stock; cancel = unknown SKU, no stock on a single-line order, or the operator cancelling before acknowledgement). directed_cancel: PUT shipped cancelling the units Jet asked to cancel. cancel_units: PUT shipped cancelling an acknowledged order''s open units (operator).';
COMMENT ON COLUMN jet.actions.decision_id IS 'The decision that asked for it (NULL for operator and directed-cancel actions without one).';
COMMENT ON COLUMN jet.actions.body IS 'The request body exactly as sent (Jet''s wire format).';
COMMENT ON COLUMN jet.actions.state IS 'pending (not sent yet), sending (committed just before the call), applied (2xx, or settled as applied), not_applied (4xx, or settled as not applied: may be re-sent), unknown (timeout / dropped / 5xx: must be settled first), failed (gave up after the attempt limit).';
COMMENT ON COLUMN jet.actions.attempts IS 'Times the request was sent.';
COMMENT ON COLUMN jet.actions.requested_by IS 'Run key of the DAG run that created the action.';
COMMENT ON COLUMN jet.actions.reason IS 'Operator''s reason for a manual cancel; NULL otherwise.';
COMMENT ON COLUMN jet.actions.created_at IS 'Logical time of the run that created the action (UTC).';
COMMENT ON COLUMN jet.actions.last_sent_at IS 'Wall-clock time of the last send (UTC): a real event, so not a logical time.';
COMMENT ON COLUMN jet.actions.settled_at IS 'Wall-clock time the outcome became known (applied, not_applied or failed).';
COMMENT ON COLUMN jet.actions.last_error IS 'The last error Jet or the transport gave, verbatim.';

CREATE TABLE jet.action_attempts (
    action_id   bigint      NOT NULL REFERENCES jet.actions ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    sent_at     timestamptz NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('applied', 'not_applied', 'unknown')),
    error       text,
    PRIMARY KEY (action_id, attempt)
);
COMMENT ON TABLE jet.action_attempts IS 'Every send of an action and what came back. Key: (action_id, attempt). Settling an unknown attempt does not rewrite it: the settled state is on jet.actions.';

-- ---------------------------------------------------------------- promised stock

CREATE VIEW jet.promised_units AS
WITH acknowledged_orders AS (
    -- Acknowledged at Jet, or being acknowledged by us (our status copy may lag).
    SELECT o.merchant_order_id, o.fulfillment_node
    FROM jet.orders o
    WHERE o.status <> 'complete'
      AND (o.status IN ('acknowledged', 'inprogress')
           OR EXISTS (SELECT 1 FROM jet.actions a
                      WHERE a.merchant_order_id = o.merchant_order_id
                        AND a.kind = 'acknowledge' AND a.state <> 'failed'))
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
      AND NOT EXISTS (SELECT 1 FROM jet.actions a
                      WHERE a.merchant_order_id = d.merchant_order_id
                        AND a.kind IN ('acknowledge', 'reject', 'cancel'))
    GROUP BY 1, 2
)
SELECT sku, fulfillment_node,
       coalesce(a.units, 0) AS acknowledged_units,
       coalesce(h.units, 0) AS held_units,
       coalesce(a.units, 0) + coalesce(h.units, 0) AS promised
FROM acknowledged a
FULL JOIN held h USING (sku, fulfillment_node);
COMMENT ON VIEW jet.promised_units IS 'Units promised and not yet shipped or cancelled, per (sku, fulfillment_node): open units of acknowledged orders (at Jet, or with our acknowledge action in flight), net of shipments and cancellations in jet.order_shipments, plus units reserved by held decisions. Stock available to new orders = on_hand - promised - safety stock.';
COMMENT ON COLUMN jet.promised_units.acknowledged_units IS 'Open units on acknowledged (or being acknowledged) orders: ordered - shipped - cancelled.';
COMMENT ON COLUMN jet.promised_units.held_units IS 'Units reserved by held orders awaiting manual approval.';
COMMENT ON COLUMN jet.promised_units.promised IS 'acknowledged_units + held_units.';

-- ---------------------------------------------------------------- the acknowledgement deadline

CREATE FUNCTION jet.orders_at_risk_at(p_at timestamptz)
RETURNS TABLE (
    merchant_order_id text,
    fulfillment_node  text,
    ready_at          timestamptz,
    deadline          timestamptz,
    minutes_left      numeric,
    state             text
) LANGUAGE sql STABLE AS $$
    SELECT o.merchant_order_id, o.fulfillment_node, o.ready_at,
           o.ready_at + interval '15 minutes' AS deadline,
           round((extract(epoch FROM (o.ready_at + interval '15 minutes') - p_at) / 60)::numeric, 1) AS minutes_left,
           CASE
               WHEN d.outcome = 'hold' THEN 'held'
               WHEN d.decision_id IS NULL THEN 'undecided'
               ELSE 'not_acknowledged'
           END AS state
    FROM jet.orders o
    LEFT JOIN jet.decisions d ON d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run
    WHERE o.status = 'ready' AND o.ready_at IS NOT NULL
      -- Answered, or being answered: the acknowledgement call is applied or in flight.
      AND NOT EXISTS (SELECT 1 FROM jet.actions a
                      WHERE a.merchant_order_id = o.merchant_order_id
                        AND a.kind IN ('acknowledge', 'reject', 'cancel')
                        AND a.state IN ('applied', 'sending', 'unknown'))
    ORDER BY deadline, o.merchant_order_id
$$;
COMMENT ON FUNCTION jet.orders_at_risk_at(timestamptz) IS 'Ready orders whose acknowledgement is not applied or in flight, as seen at p_at: deadline = ready_at + 15 min, minutes left (negative = overdue). The alert in jet_decide_orders calls it with the run''s time.';

CREATE VIEW jet.orders_at_risk AS SELECT * FROM jet.orders_at_risk_at(now());
COMMENT ON VIEW jet.orders_at_risk IS 'Ready orders not yet acknowledged (undecided, held, or their acknowledgement not applied), with their deadline (ready_at + 15 minutes, after which Jet gives the order away) and minutes left, as of now. Most urgent first.';

CREATE VIEW analytics.order_decisions AS
SELECT d.merchant_order_id, d.decided_at, d.dry_run, d.outcome, d.reasons, d.rules_version, d.settings_version,
       a.kind AS action_kind, a.state AS action_state, a.attempts AS action_attempts,
       o.ready_at, o.acknowledged_at, o.status
FROM jet.decisions d
JOIN jet.orders o USING (merchant_order_id)
LEFT JOIN jet.actions a ON a.decision_id = d.decision_id;
COMMENT ON VIEW analytics.order_decisions IS 'Decisions for analysts: one row per decision (and its action, if any) with the order''s ready and acknowledged times. Key: (merchant_order_id, decided_at, dry_run).';
