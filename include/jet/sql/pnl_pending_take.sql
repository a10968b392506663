-- Take every queued change this transaction's snapshot sees (REPEATABLE READ): rows a
-- writer commits later stay queued for the next refresh, so none is lost. Returns how
-- many distinct changes were taken and how many of them ask for a full rebuild.
WITH taken AS (
    DELETE FROM jet.pnl_pending RETURNING scope, key
),
kept AS (
    INSERT INTO pnl_taken (scope, key)
    SELECT DISTINCT scope, key FROM taken
    RETURNING scope
)
SELECT count(*) AS changes, count(*) FILTER (WHERE scope = 'all') AS full_rebuilds FROM kept;
