-- Catalog sync: Jetflow pushes stock and prices to Jet and follows what Jet archived.
--
-- Nothing pushed stock to Jet before, so Jet kept offering products the merchant could
-- not fill. This migration adds what the DAG jet_catalog_sync needs:
--   * prices from the catalog file (jet.products.price, jet.inventory.node_price), each
--     with the time it was loaded;
--   * the three toggles push_stock, push_prices, follow_archive in the versioned settings
--     (jet.change_settings now copies every column of the current version, so a new
--     setting is never reset to its default by a change of another one);
--   * archived on Jet apart from archived in the file: jet.products.archived stays the one
--     flag every reader uses (the decider included) and is now archived_in_file OR
--     archived_on_jet, kept by a trigger;
--   * the push log jet.catalog_pushes (one row per request, written before it is sent,
--     settled as it returns) and jet.catalog_accepted (the last value Jet accepted per SKU
--     and kind, which the next sync compares against);
--   * jet.jet_skus: the SKU list Jet last returned, with status;
--   * analytics.catalog_sync, the analysts' view of it all.

-- ---------------------------------------------------------------- prices

ALTER TABLE jet.products
    ADD COLUMN price numeric(14, 2) CHECK (price > 0),
    ADD COLUMN price_as_of timestamptz;
COMMENT ON COLUMN jet.products.price IS 'Selling price on Jet (USD, what the merchant is paid per unit), from the catalog file''s price column; NULL = no price given yet (none is pushed). An empty cell keeps the current price.';
COMMENT ON COLUMN jet.products.price_as_of IS 'When the current price was loaded (the loading run''s time, UTC); changes only when the price does.';

ALTER TABLE jet.inventory
    ADD COLUMN node_price numeric(14, 2) CHECK (node_price > 0),
    ADD COLUMN node_price_as_of timestamptz;
COMMENT ON COLUMN jet.inventory.node_price IS 'Price at this fulfillment node when it differs from the SKU''s price (the file''s node_price column); NULL = the SKU''s price applies. Pushed as Jet''s fulfillment_node_price.';
COMMENT ON COLUMN jet.inventory.node_price_as_of IS 'When the node price was loaded (UTC); changes only when it does.';

-- ---------------------------------------------------------------- archived here / on Jet

ALTER TABLE jet.products
    ADD COLUMN archived_in_file boolean,
    ADD COLUMN archived_on_jet boolean NOT NULL DEFAULT false,
    ADD COLUMN on_jet boolean,
    ADD COLUMN jet_status text,
    ADD COLUMN jet_status_at timestamptz;
UPDATE jet.products SET archived_in_file = archived;
ALTER TABLE jet.products ALTER COLUMN archived_in_file SET NOT NULL;
COMMENT ON COLUMN jet.products.archived IS 'No longer sold: counts as having no stock, even when replenishable. Kept equal to archived_in_file OR archived_on_jet (trigger products_archived); writing it directly sets archived_in_file.';
COMMENT ON COLUMN jet.products.archived_in_file IS 'The catalog file''s archived column: the merchant archived the product.';
COMMENT ON COLUMN jet.products.archived_on_jet IS 'Archived on Jet, or deleted there (listed by Jet before, no longer listed): set and cleared by jet_catalog_sync when follow_archive is on. Such a product sells nothing and is not pushed.';
COMMENT ON COLUMN jet.products.on_jet IS 'Whether Jet''s SKU list held the SKU at the last pull (jet_catalog_sync); NULL = never pulled. A SKU not on Jet is not pushed (Jet would refuse it).';
COMMENT ON COLUMN jet.products.jet_status IS 'Jet''s status at the last pull: Archived, Listed (any other status), or not listed (Jet''s list lacked it).';
COMMENT ON COLUMN jet.products.jet_status_at IS 'When the pull that last changed on_jet, jet_status or archived_on_jet ran (UTC).';

CREATE FUNCTION jet.products_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writers that only know the old single flag (tests, hand-written SQL) keep working:
    -- what they set is the file's flag; Jet's flag is only ever set by the sync.
    IF TG_OP = 'INSERT' THEN
        NEW.archived_in_file := coalesce(NEW.archived_in_file, NEW.archived, false);
    ELSIF NEW.archived_in_file IS NOT DISTINCT FROM OLD.archived_in_file
          AND NEW.archived IS DISTINCT FROM OLD.archived THEN
        NEW.archived_in_file := NEW.archived;
    END IF;
    NEW.archived := NEW.archived_in_file OR NEW.archived_on_jet;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION jet.products_archived() IS 'Keeps jet.products.archived = archived_in_file OR archived_on_jet.';
CREATE TRIGGER products_archived BEFORE INSERT OR UPDATE ON jet.products
    FOR EACH ROW EXECUTE FUNCTION jet.products_archived();

-- ---------------------------------------------------------------- settings toggles

ALTER TABLE jet.settings
    ADD COLUMN push_stock boolean NOT NULL DEFAULT true,
    ADD COLUMN push_prices boolean NOT NULL DEFAULT true,
    ADD COLUMN follow_archive boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN jet.settings.push_stock IS 'On: jet_catalog_sync pushes the sellable quantity per SKU and node to Jet (PUT /merchant-skus/{sku}/inventory).';
COMMENT ON COLUMN jet.settings.push_prices IS 'On: jet_catalog_sync pushes changed prices to Jet (PUT /merchant-skus/{sku}/price).';
COMMENT ON COLUMN jet.settings.follow_archive IS 'On: jet_catalog_sync pulls Jet''s SKU list and statuses; a SKU archived or deleted on Jet is archived here, one restored there is restored.';

-- The view was created with the columns of its time (SELECT * is expanded once).
CREATE OR REPLACE VIEW jet.current_settings AS
SELECT * FROM jet.settings ORDER BY version DESC LIMIT 1;

DROP FUNCTION jet.change_settings(text, boolean, boolean, text, integer, text);
CREATE FUNCTION jet.change_settings(
    p_changed_by text,
    p_auto_acknowledge boolean DEFAULT NULL,
    p_accept_regardless_of_inventory boolean DEFAULT NULL,
    p_partial_stock_policy text DEFAULT NULL,
    p_safety_stock integer DEFAULT NULL,
    p_note text DEFAULT NULL,
    p_push_stock boolean DEFAULT NULL,
    p_push_prices boolean DEFAULT NULL,
    p_follow_archive boolean DEFAULT NULL
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cur jet.settings;
BEGIN
    -- Serialise writers so two changes cannot both become version n+1.
    LOCK TABLE jet.settings IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO cur FROM jet.settings ORDER BY version DESC LIMIT 1;
    -- Start from the whole current row, so a column added later keeps its value too.
    cur.version := cur.version + 1;
    cur.auto_acknowledge := coalesce(p_auto_acknowledge, cur.auto_acknowledge);
    cur.accept_regardless_of_inventory := coalesce(p_accept_regardless_of_inventory, cur.accept_regardless_of_inventory);
    cur.partial_stock_policy := coalesce(p_partial_stock_policy, cur.partial_stock_policy);
    cur.safety_stock := coalesce(p_safety_stock, cur.safety_stock);
    cur.push_stock := coalesce(p_push_stock, cur.push_stock);
    cur.push_prices := coalesce(p_push_prices, cur.push_prices);
    cur.follow_archive := coalesce(p_follow_archive, cur.follow_archive);
    cur.changed_by := p_changed_by;
    cur.note := p_note;
    cur.created_at := now();
    INSERT INTO jet.settings SELECT (cur).*;
    RETURN cur.version;
END
$$;
COMMENT ON FUNCTION jet.change_settings(text, boolean, boolean, text, integer, text, boolean, boolean, boolean) IS 'Create the next settings version from the current one; NULL arguments keep the current value. Returns the new version. Example: SELECT jet.change_settings(''alice'', p_push_prices => false);';

-- ---------------------------------------------------------------- Jet's SKU list

CREATE TABLE jet.jet_skus (
    sku           text PRIMARY KEY,
    status        text,
    is_archived   boolean     NOT NULL,
    listed        boolean     NOT NULL,
    first_seen_at timestamptz NOT NULL,
    changed_at    timestamptz NOT NULL,
    run_id        text        NOT NULL
);
COMMENT ON TABLE jet.jet_skus IS 'The merchant SKUs Jet listed (GET /merchant-skus), as of the last jet_catalog_sync pull with follow_archive on. Key: sku. SKUs Jet lists that jet.products lacks are shown in analytics.catalog_sync (in_catalog false).';
COMMENT ON COLUMN jet.jet_skus.status IS 'Archived, Listed (any other status), or not listed (deleted on Jet).';
COMMENT ON COLUMN jet.jet_skus.is_archived IS 'Archived on Jet.';
COMMENT ON COLUMN jet.jet_skus.listed IS 'False once Jet''s list no longer holds the SKU (deleted on Jet).';
COMMENT ON COLUMN jet.jet_skus.first_seen_at IS 'First pull that listed it (UTC).';
COMMENT ON COLUMN jet.jet_skus.changed_at IS 'Pull that last changed the row (UTC): an unchanged SKU is not rewritten every hour.';
COMMENT ON COLUMN jet.jet_skus.run_id IS 'The DAG run of that pull.';

-- ---------------------------------------------------------------- push log

CREATE TABLE jet.catalog_pushes (
    push_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku          text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('inventory', 'price')),
    body         jsonb       NOT NULL,
    run_id       text        NOT NULL,
    sent_at      timestamptz NOT NULL,
    state        text        NOT NULL DEFAULT 'sending'
                             CHECK (state IN ('sending', 'accepted', 'refused', 'unknown', 'not_applied')),
    answered_at  timestamptz,
    http_status  integer,
    jet_message  text,
    rate_limited integer     NOT NULL DEFAULT 0 CHECK (rate_limited >= 0),
    settled_by   text CHECK (settled_by IN ('answer', 'read_back'))
);
COMMENT ON TABLE jet.catalog_pushes IS 'One row per push request to Jet (inventory or price of one SKU), written before the request is sent and settled as it returns. Key: push_id. A row still sending after its run died, or unknown (timeout, 5xx), is settled from Jet''s read-back before anything is sent for that SKU again, so a value is never pushed twice.';
COMMENT ON COLUMN jet.catalog_pushes.kind IS 'inventory (PUT /merchant-skus/{sku}/inventory) or price (PUT /merchant-skus/{sku}/price).';
COMMENT ON COLUMN jet.catalog_pushes.body IS 'The request body exactly as sent.';
COMMENT ON COLUMN jet.catalog_pushes.run_id IS 'The DAG run that sent it (dag_id/run_id).';
COMMENT ON COLUMN jet.catalog_pushes.sent_at IS 'When it was handed to the sender (wall clock, UTC).';
COMMENT ON COLUMN jet.catalog_pushes.state IS 'sending (in flight, or its run died), accepted (Jet answered 2xx or the read-back shows it), refused (Jet answered 4xx: a permanent refusal, the same value is not sent again), unknown (timeout or 5xx: settled by read-back), not_applied (read back: Jet does not have it; a later sync may push it).';
COMMENT ON COLUMN jet.catalog_pushes.answered_at IS 'When the outcome was known (UTC).';
COMMENT ON COLUMN jet.catalog_pushes.http_status IS 'Jet''s HTTP status; NULL without an answer.';
COMMENT ON COLUMN jet.catalog_pushes.jet_message IS 'Jet''s errors for a refusal, or what went wrong for unknown.';
COMMENT ON COLUMN jet.catalog_pushes.rate_limited IS 'HTTP 429 answers before this one went through: each waited for Retry-After and was not an attempt.';
COMMENT ON COLUMN jet.catalog_pushes.settled_by IS 'answer (Jet''s response) or read_back (Jet''s current value, after no answer).';
-- The last push of a SKU and kind (the plan looks it up per SKU), and the unsettled ones.
CREATE INDEX catalog_pushes_last_idx ON jet.catalog_pushes (sku, kind, push_id DESC);
CREATE INDEX catalog_pushes_unsettled_idx ON jet.catalog_pushes (push_id) WHERE state IN ('sending', 'unknown');
CREATE INDEX catalog_pushes_run_idx ON jet.catalog_pushes (run_id);

CREATE TABLE jet.catalog_accepted (
    sku         text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('inventory', 'price')),
    body        jsonb       NOT NULL,
    push_id     bigint      NOT NULL REFERENCES jet.catalog_pushes,
    accepted_at timestamptz NOT NULL,
    PRIMARY KEY (sku, kind)
);
COMMENT ON TABLE jet.catalog_accepted IS 'The last value Jet accepted per SKU and kind (from jet.catalog_pushes): what the next sync compares the wanted value with. Key: (sku, kind).';
COMMENT ON COLUMN jet.catalog_accepted.body IS 'The accepted request body.';
COMMENT ON COLUMN jet.catalog_accepted.push_id IS 'The push that carried it.';
COMMENT ON COLUMN jet.catalog_accepted.accepted_at IS 'When Jet accepted it (UTC).';

INSERT INTO jet.pipeline_locks (name, purpose) VALUES
    ('catalog_sync', 'one catalog sync at a time: two would push the same values');

-- ---------------------------------------------------------------- the analysts' view

CREATE VIEW jet.catalog_wanted AS
SELECT p.sku, i.fulfillment_node,
       CASE WHEN p.archived THEN 0 ELSE s.available END AS sellable,
       coalesce(i.node_price, p.price) AS price
FROM jet.products p
JOIN jet.inventory i USING (sku)
JOIN jet.stock_available s USING (sku, fulfillment_node);
COMMENT ON VIEW jet.catalog_wanted IS 'What Jet should show per (sku, fulfillment_node): the sellable quantity (jet.stock_available.available, the decider''s, never below 0; 0 when archived) and the price (the node''s, else the SKU''s).';

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
