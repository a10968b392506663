-- The refresh's working set, dropped at commit: the queue rows it took (pnl_taken) and
-- the orders they touch (pnl_scope). Temp tables, so the planner gets their real sizes.
CREATE TEMP TABLE pnl_taken (scope text NOT NULL, key text) ON COMMIT DROP;
CREATE TEMP TABLE pnl_scope (merchant_order_id text PRIMARY KEY) ON COMMIT DROP;
