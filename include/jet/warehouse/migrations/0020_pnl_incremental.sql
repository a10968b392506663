-- Incremental P&L: the daily refresh recomputes only the orders whose inputs changed.
--
-- jet.order_pnl is a function of five tables: jet.orders, jet.order_items, jet.products
-- (unit costs), jet.settlement_lines and jet.settlement_reports (their settlement day).
-- Triggers on those tables record, in the writer's own transaction, which orders (or
-- SKUs, or settlements) a change touches. Because the record commits with the change,
-- no writer can alter a P&L input without the next refresh knowing: not a landing, an
-- order refresh, a catalog load, nor an operator's UPDATE in psql. The refresh consumes
-- exactly the records its snapshot sees (see jet.settlement.pnl.refresh_pnl), so a
-- change committed while it runs waits for the next one instead of being lost.
--
-- Statement-level triggers with transition tables: one INSERT into the queue per
-- statement, however many rows it wrote, so a COPY of a day's lines costs one
-- SELECT DISTINCT over them. A TRUNCATE has no rows to name: it asks for a full rebuild.

CREATE TABLE jet.pnl_pending (
    pending_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope      text        NOT NULL CHECK (scope IN ('order', 'sku', 'settlement', 'all')),
    key        text,
    source     text        NOT NULL,
    queued_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'all') = (key IS NULL))
);
COMMENT ON TABLE jet.pnl_pending IS 'What the next P&L refresh must recompute: one row per change a statement made to a P&L input, written by triggers in the same transaction as the change and consumed by the refresh (jet_settlement, compute_pnl). Key: pending_id. Empty right after a refresh; rows here mean jet.order_pnl is behind its inputs for those orders.';
COMMENT ON COLUMN jet.pnl_pending.scope IS 'order (key = merchant_order_id), sku (key = a SKU whose unit cost changed: every order with a line of it), settlement (key = settlement_report_id whose settlement day changed: every order on its lines), all (a table was truncated, or the migration: the next refresh is a full rebuild).';
COMMENT ON COLUMN jet.pnl_pending.source IS 'The table whose change queued the row.';
COMMENT ON COLUMN jet.pnl_pending.queued_at IS 'Wall-clock time of the change (UTC): how long the P&L has been behind, not a logical time.';

-- One trigger function for the five tables. Its arguments say what a row names and
-- which of its columns the P&L reads:
--   TG_ARGV[0]  the scope queued (order, sku, settlement)
--   TG_ARGV[1]  the column holding that key (NULL keys name nothing: an adjustment line)
--   TG_ARGV[2]  optional, comma-separated: the only columns whose change matters; the
--               key column is then the table's primary key, so old and new rows pair up
--               on it. Without it every updated row's old and new key is queued (a line
--               that moved to another order changes both orders).
-- Identifiers come from the trigger definitions below (quote_ident), never from data.
CREATE FUNCTION jet.pnl_queue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scope   text := TG_ARGV[0];
    key     text := quote_ident(TG_ARGV[1]);
    watched text[] := CASE WHEN TG_NARGS > 2 THEN string_to_array(TG_ARGV[2], ',') END;
    changed text;
    keys    text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', TG_TABLE_NAME);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        keys := format('SELECT %s AS k FROM new_rows', key);
    ELSIF TG_OP = 'DELETE' THEN
        keys := format('SELECT %s AS k FROM old_rows', key);
    ELSIF watched IS NULL THEN
        keys := format('SELECT %1$s AS k FROM new_rows UNION SELECT %1$s FROM old_rows', key);
    ELSE
        SELECT format('(%s) IS DISTINCT FROM (%s)',
                      string_agg('n.' || quote_ident(c), ', '), string_agg('o.' || quote_ident(c), ', '))
          INTO changed FROM unnest(watched) c;
        keys := format(
            'SELECT n.%1$s AS k FROM new_rows n JOIN old_rows o USING (%1$s) WHERE %2$s'
            -- a primary key that changed: the old and the new key
            ' UNION (SELECT %1$s FROM new_rows EXCEPT SELECT %1$s FROM old_rows)'
            ' UNION (SELECT %1$s FROM old_rows EXCEPT SELECT %1$s FROM new_rows)',
            key, changed);
    END IF;
    EXECUTE format(
        'INSERT INTO jet.pnl_pending (scope, key, source) SELECT DISTINCT $1, k, $2 FROM (%s) t WHERE k IS NOT NULL',
        keys)
        USING scope, TG_TABLE_NAME;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.pnl_queue() IS 'Statement trigger (migration 0020): queue in jet.pnl_pending the keys (TG_ARGV[1]) of the rows a statement wrote or removed, as scope TG_ARGV[0]; for an UPDATE with a column list (TG_ARGV[2]), only rows where one of those columns changed. A TRUNCATE queues a full rebuild.';

-- The five inputs, what their rows name, and (for an UPDATE) the only columns that matter:
--   settlement lines: every order on a line landed, replaced or removed;
--   order lines: their order;
--   orders: placement time and status are the only order columns jet.order_pnl carries
--     (acknowledgement times, addresses and the like queue nothing);
--   products: a unit cost that appears, changes or goes (COGS and units_without_cost of
--     every order with a line of the SKU; stock, titles and flags queue nothing);
--   settlement reports: each line's settlement day comes from its report, and only lines
--     whose report is landed count.
-- One trigger per event and table: a trigger with transition tables fires for one event.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT * FROM (VALUES
            ('settlement_lines', 'order', 'merchant_order_id', NULL),
            ('order_items', 'order', 'merchant_order_id', NULL),
            ('orders', 'order', 'merchant_order_id', 'order_placed_at,status'),
            ('products', 'sku', 'sku', 'unit_cost'),
            ('settlement_reports', 'settlement', 'settlement_report_id', 'settlement_date')
        ) AS v (tbl, scope, key, watched)
    LOOP
        EXECUTE format('CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.%I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue(%L, %L)', t.tbl, t.scope, t.key);
        EXECUTE format('CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.%I'
                       ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue(%L, %L%s)',
                       t.tbl, t.scope, t.key, CASE WHEN t.watched IS NULL THEN '' ELSE format(', %L', t.watched) END);
        EXECUTE format('CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.%I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue(%L, %L)', t.tbl, t.scope, t.key);
        EXECUTE format('CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.%I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue(%L, %L)', t.tbl, t.scope, t.key);
    END LOOP;
END
$$;

-- A unit cost change finds the settled lines of its SKU without reading every line.
CREATE INDEX settlement_lines_sku_idx ON jet.settlement_lines (merchant_sku);

-- Whatever changed before these triggers existed is unknown: the first refresh after
-- this migration is a full rebuild.
INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', 'migration 0020');
