-- Append-only means append-only: UPDATE, DELETE and TRUNCATE are all refused.
--
-- Migrations 0003 and 0007 made jet.settings, jet.return_policy and jet.order_notes
-- refuse UPDATE and DELETE, but a TRUNCATE of jet.order_notes (directly, or through
-- TRUNCATE jet.orders CASCADE) still wiped every note. jet.order_status_history, the
-- Jet side of an order's timeline (each status first seen), had no protection at all.
--
-- jet.make_append_only(table) is the one way to make a table append-only, so every
-- such table refuses the same three statements with the same message. A table is
-- append-only when its COMMENT says so: the tests find them by that word.
--
-- Emptying a scratch warehouse (tests, benchmarks) is a deliberate administrator's act:
-- jet.warehouse.scratch.empty() runs TRUNCATE with session_replication_role = replica,
-- which only a superuser may set. No pipeline and no analyst can.

CREATE FUNCTION jet.make_append_only(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    base text := (SELECT relname FROM pg_class WHERE oid = p_table);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = p_table AND tgname = base || '_append_only') THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION jet.refuse_change()',
                       base || '_append_only', p_table);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = p_table AND tgname = base || '_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION jet.refuse_change()',
                       base || '_no_truncate', p_table);
    END IF;
END
$$;
COMMENT ON FUNCTION jet.make_append_only(regclass) IS 'Make a table append-only: triggers <table>_append_only (UPDATE, DELETE) and <table>_no_truncate (TRUNCATE) refuse changes with jet.refuse_change(). Idempotent. Say "append-only" in the table''s COMMENT too.';
COMMENT ON FUNCTION jet.refuse_change() IS 'Trigger function for append-only tables: refuses UPDATE, DELETE and TRUNCATE (see jet.make_append_only).';

-- Already refusing UPDATE and DELETE (triggers of 0003 / 0007); this adds what is missing.
SELECT jet.make_append_only('jet.settings');
SELECT jet.make_append_only('jet.return_policy');
SELECT jet.make_append_only('jet.order_notes');
SELECT jet.make_append_only('jet.order_status_history');

COMMENT ON TABLE jet.settings IS 'Acknowledgement settings, one row per version, append-only (UPDATE, DELETE and TRUNCATE are refused). The highest version is current (jet.current_settings); change them with jet.change_settings(...) - no deploy needed. Every decision records the version it used.';
COMMENT ON TABLE jet.return_policy IS 'The merchant''s return policy, one row per version, append-only (UPDATE, DELETE and TRUNCATE refused). The highest version is current (jet.current_return_policy); change it with jet.change_return_policy(...).';
COMMENT ON TABLE jet.order_notes IS 'An order''s history, append-only: notes by people (DAG jet_add_order_note) and by the system (decisions, outbox actions, shipments, returns, refunds). UPDATE, DELETE and TRUNCATE are refused by triggers; an order with notes cannot be deleted. Read it top to bottom with jet.order_history. Key: note_id.';
COMMENT ON TABLE jet.order_status_history IS 'Each (status, exception state) an order was first observed in, and when: the Jet side of the order''s timeline, append-only (UPDATE, DELETE and TRUNCATE refused; an order with a status history cannot be deleted). Key: (merchant_order_id, status, exception_state). Jet''s lifecycle never returns to a status, so the key is unique.';
