-- Incremental P&L: the daily refresh recomputes only the orders whose inputs changed.
--
-- jet.order_pnl is a function of five tables: jet.orders, jet.order_items, jet.products
-- (unit costs), jet.settlement_lines and jet.settlement_reports (their settlement day).
-- Triggers on those tables record, in the writer's own transaction, which orders (or
-- SKUs, or settlements) a change touches. Because the record commits with the change,
-- no writer can alter a P&L input without the next refresh knowing: not a landing, an
-- order refresh, a catalog load, nor an operator's UPDATE in psql. The refresh consumes
-- exactly the records its snapshot sees (see jet.settlement.reconcile.refresh_pnl), so a
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

-- Lines and order lines: every order named by a row written or removed.
CREATE FUNCTION jet.pnl_queue_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', TG_TABLE_NAME);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT DISTINCT 'order', merchant_order_id, TG_TABLE_NAME FROM new_rows WHERE merchant_order_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT DISTINCT 'order', merchant_order_id, TG_TABLE_NAME FROM old_rows WHERE merchant_order_id IS NOT NULL;
    ELSE
        -- Both sides: a row that moved to another order changes both orders.
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'order', merchant_order_id, TG_TABLE_NAME
        FROM (SELECT merchant_order_id FROM new_rows UNION SELECT merchant_order_id FROM old_rows) k
        WHERE merchant_order_id IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.pnl_queue_orders() IS 'Statement trigger: queue (jet.pnl_pending) every order named by the rows a statement wrote or removed; a TRUNCATE queues a full rebuild.';

-- Orders: an order that appears or goes, or whose placement time or status changes
-- (the only order columns jet.order_pnl carries). Acknowledgement times, addresses and
-- the like change nothing in the P&L and queue nothing.
CREATE FUNCTION jet.pnl_queue_order_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', TG_TABLE_NAME);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'order', merchant_order_id, TG_TABLE_NAME FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'order', merchant_order_id, TG_TABLE_NAME FROM old_rows;
    ELSE
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'order', merchant_order_id, TG_TABLE_NAME
        FROM (
            SELECT n.merchant_order_id FROM new_rows n JOIN old_rows o USING (merchant_order_id)
            WHERE (n.order_placed_at, n.status) IS DISTINCT FROM (o.order_placed_at, o.status)
            UNION  -- a primary key that changed: the old and the new order
            (SELECT merchant_order_id FROM new_rows EXCEPT SELECT merchant_order_id FROM old_rows)
            UNION
            (SELECT merchant_order_id FROM old_rows EXCEPT SELECT merchant_order_id FROM new_rows)
        ) k;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.pnl_queue_order_changes() IS 'Statement trigger on jet.orders: queue orders inserted, deleted, or whose order_placed_at or status changed; a TRUNCATE queues a full rebuild.';

-- Products: a SKU whose unit cost appears, changes or goes (COGS and units_without_cost
-- of every order with a line of it). Stock, titles and flags queue nothing.
CREATE FUNCTION jet.pnl_queue_cost_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', TG_TABLE_NAME);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO jet.pnl_pending (scope, key, source) SELECT 'sku', sku, TG_TABLE_NAME FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO jet.pnl_pending (scope, key, source) SELECT 'sku', sku, TG_TABLE_NAME FROM old_rows;
    ELSE
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'sku', sku, TG_TABLE_NAME
        FROM (
            SELECT n.sku FROM new_rows n JOIN old_rows o USING (sku) WHERE n.unit_cost IS DISTINCT FROM o.unit_cost
            UNION (SELECT sku FROM new_rows EXCEPT SELECT sku FROM old_rows)
            UNION (SELECT sku FROM old_rows EXCEPT SELECT sku FROM new_rows)
        ) k;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.pnl_queue_cost_changes() IS 'Statement trigger on jet.products: queue SKUs inserted, deleted, or whose unit_cost changed; a TRUNCATE queues a full rebuild.';

-- Settlement reports: the P&L takes each line's settlement day from its report, and
-- counts only lines whose report is landed.
CREATE FUNCTION jet.pnl_queue_settlement_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', TG_TABLE_NAME);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'settlement', settlement_report_id, TG_TABLE_NAME FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'settlement', settlement_report_id, TG_TABLE_NAME FROM old_rows;
    ELSE
        INSERT INTO jet.pnl_pending (scope, key, source)
        SELECT 'settlement', settlement_report_id, TG_TABLE_NAME
        FROM (
            SELECT n.settlement_report_id FROM new_rows n JOIN old_rows o USING (settlement_report_id)
            WHERE n.settlement_date IS DISTINCT FROM o.settlement_date
            UNION (SELECT settlement_report_id FROM new_rows EXCEPT SELECT settlement_report_id FROM old_rows)
            UNION (SELECT settlement_report_id FROM old_rows EXCEPT SELECT settlement_report_id FROM new_rows)
        ) k;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION jet.pnl_queue_settlement_changes() IS 'Statement trigger on jet.settlement_reports: queue settlements inserted, deleted, or whose settlement_date changed; a TRUNCATE queues a full rebuild.';

-- One trigger per event: a trigger with transition tables fires for one event only.
CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.settlement_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.settlement_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.settlement_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.settlement_lines
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();

CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.order_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.order_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.order_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();
CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.order_items
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_orders();

CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_order_changes();
CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_order_changes();
CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.orders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_order_changes();
CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.orders
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_order_changes();

CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_cost_changes();
CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.products
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_cost_changes();
CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.products
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_cost_changes();
CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.products
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_cost_changes();

CREATE TRIGGER pnl_queue_insert AFTER INSERT ON jet.settlement_reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_settlement_changes();
CREATE TRIGGER pnl_queue_update AFTER UPDATE ON jet.settlement_reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_settlement_changes();
CREATE TRIGGER pnl_queue_delete AFTER DELETE ON jet.settlement_reports
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_settlement_changes();
CREATE TRIGGER pnl_queue_truncate AFTER TRUNCATE ON jet.settlement_reports
    FOR EACH STATEMENT EXECUTE FUNCTION jet.pnl_queue_settlement_changes();

-- A unit cost change finds the settled lines of its SKU without reading every line.
CREATE INDEX settlement_lines_sku_idx ON jet.settlement_lines (merchant_sku);

-- Whatever changed before these triggers existed is unknown: the first refresh after
-- this migration is a full rebuild.
INSERT INTO jet.pnl_pending (scope, source) VALUES ('all', 'migration 0020');
