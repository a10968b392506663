-- DAG runs of the measured window by DAG and final state.
SELECT dag_id, coalesce(state, 'none') AS state, count(*) AS runs
FROM dag_run
WHERE queued_at >= %(since)s
GROUP BY 1, 2
ORDER BY 1, 2;
