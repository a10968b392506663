-- What one sync run's pushes came to, in the push log's words (jet.catalog_pushes).
SELECT state, count(*)::integer, coalesce(sum(rate_limited), 0)::integer
FROM jet.catalog_pushes
WHERE run_id = %(run_key)s
GROUP BY state
ORDER BY state;
