-- Catalog pushes go through the one outbox: a stock or price PUT is an action in
-- jet.actions like every other write to Jet, queued before it is sent, its outcome
-- recorded as its request returns and, when in doubt, settled from Jet's read-back of the
-- SKU, under the same failure policy (a 429 is not an attempt, a refusal is failed with
-- Jet's message and can be re-queued once by an operator).
--
-- * jet.action_kinds: two kinds on the subject 'sku' (push_inventory, push_price); an
--   action on a SKU has no merchant order (merchant_order_id NULL) and names the SKU as
--   its subject (Jet's SKUs are any text of up to 100 characters without control ones).
-- * jet.actions gains settled_by (Jet's answer or the read-back settled it) and
--   http_status (Jet's status for a refusal or a failed answer), which the push log had.
-- * The push log jet.catalog_pushes and jet.catalog_accepted become views over
--   jet.actions with their former columns, so analytics.catalog_sync and every reader keep
--   working; the log's rows are carried over (a push still in doubt becomes unknown, to be
--   read back; one the read-back found missing becomes failed: the next plan pushes the
--   value of now, never that old one again).
-- * The order history's triggers skip actions that have no order.

-- ---------------------------------------------------------------- kinds on a SKU

ALTER TABLE jet.action_kinds
    DROP CONSTRAINT action_kinds_subject_check,
    ADD CONSTRAINT action_kinds_subject_check
        CHECK (subject IN ('order', 'shipment_request', 'return', 'refund', 'sku'));
COMMENT ON COLUMN jet.action_kinds.subject IS 'What jet.actions.subject names: order (NULL subject: the order itself), shipment_request (jet.shipment_requests id), return (Jet''s return id), refund (our alt_refund_id), sku (a merchant SKU: the action has no order).';

INSERT INTO jet.action_kinds
    (kind, method, path, subject, acknowledgement, ordered, description, answer, cancels_units, started_by, rule_in)
VALUES
    ('push_inventory', 'PUT', '/merchant-skus/{subject}/inventory', 'sku', false, false,
     'push the sellable quantity of one SKU at every fulfillment node', NULL, false, NULL,
     'include/jet/catalog/sync.py'),
    ('push_price', 'PUT', '/merchant-skus/{subject}/price', 'sku', false, false,
     'push the price of one SKU (and its node prices)', NULL, false, NULL,
     'include/jet/catalog/sync.py');

ALTER TABLE jet.actions
    ALTER COLUMN merchant_order_id DROP NOT NULL,
    ADD COLUMN settled_by text CHECK (settled_by IN ('answer', 'read_back')),
    ADD COLUMN http_status integer CHECK (http_status BETWEEN 100 AND 599),
    DROP CONSTRAINT actions_subject_check,
    ADD CONSTRAINT actions_subject_check CHECK (
        subject ~ '^[A-Za-z0-9._-]{1,80}$'
        OR (merchant_order_id IS NULL AND length(subject) BETWEEN 1 AND 100 AND subject !~ '[[:cntrl:]]')),
    ADD CONSTRAINT actions_order_or_subject CHECK (merchant_order_id IS NOT NULL OR subject IS NOT NULL);
COMMENT ON COLUMN jet.actions.merchant_order_id IS 'The order the write is about; NULL for a write on a SKU (a catalog push: the subject names the SKU).';
COMMENT ON COLUMN jet.actions.settled_by IS 'What settled the outcome: answer (Jet''s response to the request) or read_back (Jet''s own state, read after no answer or a doubtful one); NULL while open, and for actions settled before migration 0061.';
COMMENT ON COLUMN jet.actions.http_status IS 'Jet''s HTTP status when it refused the write or failed to answer it (4xx, 5xx); NULL for an applied write and when no answer came.';

-- The claim walks what can be sent, oldest first; catalog plans look up the last push of
-- a SKU and kind, and the last one Jet accepted.
CREATE INDEX actions_claimable_idx ON jet.actions (action_id) WHERE state IN ('pending', 'not_applied');
CREATE INDEX actions_sku_last_idx ON jet.actions (call, subject, action_id DESC) WHERE merchant_order_id IS NULL;
CREATE INDEX actions_sku_applied_idx ON jet.actions (call, subject, action_id DESC)
    WHERE merchant_order_id IS NULL AND state = 'applied';

-- An order's history tells the writes about the order; a SKU's push has no order.
DROP TRIGGER actions_note_insert ON jet.actions;
DROP TRIGGER actions_note_state ON jet.actions;
CREATE TRIGGER actions_note_insert AFTER INSERT ON jet.actions
    FOR EACH ROW WHEN (NEW.merchant_order_id IS NOT NULL) EXECUTE FUNCTION jet.note_action();
CREATE TRIGGER actions_note_state AFTER UPDATE OF state ON jet.actions
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.merchant_order_id IS NOT NULL)
    EXECUTE FUNCTION jet.note_action();

-- ---------------------------------------------------------------- the push log's rows

-- The catalog's kind (inventory, price) is the last segment of the kind's path.
INSERT INTO jet.actions
    (merchant_order_id, kind, call, subject, dedupe_key, body, state, attempts, rate_limited, requested_by, reason,
     created_at, last_sent_at, last_answer_at, settled_at, updated_at, last_error, settled_by, http_status)
SELECT NULL, k.kind || ':' || p.sku, k.kind, p.sku, 'catalog-push-log/' || p.push_id, p.body,
       CASE p.state WHEN 'accepted' THEN 'applied' WHEN 'refused' THEN 'failed' WHEN 'not_applied' THEN 'failed'
                    ELSE 'unknown' END,
       1, p.rate_limited, p.run_id, 'catalog sync (carried over from the push log)',
       p.sent_at, p.sent_at, p.answered_at,
       CASE WHEN p.state IN ('accepted', 'refused', 'not_applied') THEN coalesce(p.answered_at, p.sent_at) END,
       coalesce(p.answered_at, p.sent_at), p.jet_message, p.settled_by,
       CASE WHEN p.http_status BETWEEN 400 AND 599 THEN p.http_status END
FROM jet.catalog_pushes p
JOIN jet.action_kinds k ON k.subject = 'sku' AND regexp_replace(k.path, '^.*/', '') = p.kind
ORDER BY p.push_id;

DROP VIEW analytics.catalog_sync;
DROP TABLE jet.catalog_accepted;
DROP TABLE jet.catalog_pushes;

-- ---------------------------------------------------------------- the push log as views

CREATE VIEW jet.catalog_pushes AS
SELECT a.action_id AS push_id, a.subject AS sku, regexp_replace(k.path, '^.*/', '') AS kind, a.body,
       a.requested_by AS run_id, coalesce(a.last_sent_at, a.created_at) AS sent_at,
       CASE a.state WHEN 'applied' THEN 'accepted'
                    WHEN 'failed' THEN CASE WHEN a.http_status BETWEEN 400 AND 499 THEN 'refused' ELSE 'failed' END
                    ELSE a.state END AS state,
       a.last_answer_at AS answered_at, a.http_status, a.last_error AS jet_message, a.rate_limited, a.settled_by,
       a.state AS action_state, a.attempts
FROM jet.actions a
JOIN jet.action_kinds k ON k.kind = a.call AND k.subject = 'sku';
COMMENT ON VIEW jet.catalog_pushes IS 'The catalog push log: the outbox''s actions on a SKU (jet.actions with jet.action_kinds.subject sku), one row per push of one SKU''s inventory or price. Key: push_id (= jet.actions.action_id).';
COMMENT ON COLUMN jet.catalog_pushes.kind IS 'inventory (PUT /merchant-skus/{sku}/inventory) or price (PUT /merchant-skus/{sku}/price).';
COMMENT ON COLUMN jet.catalog_pushes.state IS 'pending (queued, or waiting out a 429), sending, accepted (Jet answered 2xx or its read-back shows the value), unknown (no answer, or a 5xx: read back once quiet), not_applied (the read-back lacks it: sent again), refused (Jet answered 4xx: not sent again, re-queue it with jet_retry_action), failed (it kept failing: the next sync plans the value again).';
COMMENT ON COLUMN jet.catalog_pushes.action_state IS 'The outbox''s own state of the action (jet.actions.state).';

CREATE VIEW jet.catalog_accepted AS
SELECT p.sku, regexp_replace(k.path, '^.*/', '') AS kind, last.body, last.action_id AS push_id,
       last.settled_at AS accepted_at
FROM jet.products p
CROSS JOIN jet.action_kinds k
CROSS JOIN LATERAL (
    SELECT a.action_id, a.body, a.settled_at
    FROM jet.actions a
    WHERE a.merchant_order_id IS NULL AND a.call = k.kind AND a.subject = p.sku AND a.state = 'applied'
    ORDER BY a.action_id DESC
    LIMIT 1
) last
WHERE k.subject = 'sku';
COMMENT ON VIEW jet.catalog_accepted IS 'The last value Jet accepted per SKU of the catalog and kind (inventory, price): what the next sync compares the wanted value with. Key: (sku, kind).';
COMMENT ON COLUMN jet.catalog_accepted.push_id IS 'The push (jet.actions.action_id) that carried it.';

-- ---------------------------------------------------------------- the analysts' view, as before

CREATE VIEW analytics.catalog_sync AS
WITH pushed_qty AS (
    SELECT a.sku, e->>'fulfillment_node_id' AS fulfillment_node, (e->>'quantity')::integer AS quantity,
           a.accepted_at
    FROM jet.catalog_accepted a, jsonb_array_elements(a.body->'fulfillment_nodes') e
    WHERE a.kind = 'inventory'
), pushed_price AS (
    SELECT a.sku, (a.body->>'price')::numeric AS price, a.body->'fulfillment_nodes' AS nodes, a.accepted_at
    FROM jet.catalog_accepted a
    WHERE a.kind = 'price'
), catalog AS (
    SELECT p.sku, w.fulfillment_node, true AS in_catalog, p.on_jet, p.jet_status, p.archived_on_jet,
           p.archived AS archived_here, w.sellable AS sellable_now, w.price AS price_now,
           q.quantity AS pushed_quantity, q.accepted_at AS quantity_pushed_at,
           coalesce((SELECT (n->>'fulfillment_node_price')::numeric FROM jsonb_array_elements(pp.nodes) n
                     WHERE n->>'fulfillment_node_id' = w.fulfillment_node), pp.price) AS pushed_price,
           pp.accepted_at AS price_pushed_at
    FROM jet.products p
    JOIN jet.catalog_wanted w USING (sku)
    LEFT JOIN pushed_qty q USING (sku, fulfillment_node)
    LEFT JOIN pushed_price pp USING (sku)
)
SELECT sku, fulfillment_node, in_catalog, on_jet, jet_status, archived_on_jet, archived_here,
       sellable_now, pushed_quantity, quantity_pushed_at, price_now, pushed_price, price_pushed_at,
       CASE WHEN archived_on_jet OR on_jet IS false THEN NULL
            ELSE pushed_quantity IS NOT DISTINCT FROM sellable_now
                 AND (price_now IS NULL OR pushed_price IS NOT DISTINCT FROM price_now) END AS in_sync
FROM catalog
UNION ALL
SELECT j.sku, NULL, false, j.listed, j.status, j.is_archived, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM jet.jet_skus j
WHERE j.listed AND NOT EXISTS (SELECT 1 FROM jet.products p WHERE p.sku = j.sku);
COMMENT ON VIEW analytics.catalog_sync IS 'Stock and price sync with Jet: one row per SKU and fulfillment node of the catalog, plus one row (fulfillment_node NULL, in_catalog false) per SKU Jet lists that the catalog lacks. Sellable now vs the last quantity and price Jet accepted (jet_catalog_sync''s push log) and whether they agree.';
COMMENT ON COLUMN analytics.catalog_sync.in_catalog IS 'False for a SKU Jet lists that jet.products lacks (nothing is pushed for it).';
COMMENT ON COLUMN analytics.catalog_sync.on_jet IS 'Jet''s SKU list held it at the last pull; NULL = never pulled (follow_archive off).';
COMMENT ON COLUMN analytics.catalog_sync.jet_status IS 'Jet''s product status at the last pull.';
COMMENT ON COLUMN analytics.catalog_sync.archived_on_jet IS 'Archived or deleted on Jet: not pushed, sells nothing here.';
COMMENT ON COLUMN analytics.catalog_sync.archived_here IS 'Archived in jet.products (in the file or on Jet): sellable 0.';
COMMENT ON COLUMN analytics.catalog_sync.sellable_now IS 'Units Jet should offer at the node now: on hand - promised - shipped since the count - safety stock, never below 0; 0 when archived.';
COMMENT ON COLUMN analytics.catalog_sync.pushed_quantity IS 'The last quantity Jet accepted for the node; NULL = never pushed.';
COMMENT ON COLUMN analytics.catalog_sync.quantity_pushed_at IS 'When Jet accepted it (UTC).';
COMMENT ON COLUMN analytics.catalog_sync.price_now IS 'The price Jet should show at the node (the node''s, else the SKU''s); NULL = no price in the catalog.';
COMMENT ON COLUMN analytics.catalog_sync.pushed_price IS 'The last price Jet accepted for the node.';
COMMENT ON COLUMN analytics.catalog_sync.price_pushed_at IS 'When Jet accepted it (UTC).';
COMMENT ON COLUMN analytics.catalog_sync.in_sync IS 'Jet has the sellable quantity and the price now; NULL when nothing is pushed for the SKU (archived or deleted on Jet, not on Jet, not in the catalog).';
