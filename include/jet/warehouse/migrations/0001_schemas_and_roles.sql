-- Schemas and the analysts' read-only role.
--   jet        operational tables written by the pipelines
--   analytics  views for analysts (stable names, documented with COMMENT ON)
CREATE SCHEMA IF NOT EXISTS jet;
CREATE SCHEMA IF NOT EXISTS analytics;
COMMENT ON SCHEMA jet IS 'Jetflow operational tables: landed Jet payloads, normalized orders, decisions, actions, settlements. Written only by the pipelines.';
COMMENT ON SCHEMA analytics IS 'Views for analysts over the jet schema; read them with the jetflow_analyst role.';

-- Roles are cluster-wide, so several warehouses on one server share this one.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jetflow_analyst') THEN
        CREATE ROLE jetflow_analyst NOLOGIN;
    END IF;
END
$$;
COMMENT ON ROLE jetflow_analyst IS 'Read-only access to the Jetflow warehouse (schemas jet and analytics). Grant it to analysts'' login roles.';
ALTER ROLE jetflow_analyst SET default_transaction_read_only = on;

GRANT USAGE ON SCHEMA jet, analytics TO jetflow_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA jet, analytics TO jetflow_analyst;
-- Tables and views created later by the migrating role are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA jet GRANT SELECT ON TABLES TO jetflow_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO jetflow_analyst;
