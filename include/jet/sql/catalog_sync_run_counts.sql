-- A run's pushes by kind and state, with the 429s they waited through (the receipt).
SELECT kind, state, count(*)::integer, coalesce(sum(rate_limited), 0)::integer
FROM jet.catalog_pushes
WHERE run_id = %(run_id)s
GROUP BY kind, state
ORDER BY kind, state;
