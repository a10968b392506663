-- Every watcher event of the measured window, the run that consumed it, and that run's
-- two tasks: where an event-driven order's seconds go between Jet listing it and Jet
-- receiving its answer.
SELECT e.timestamp                               AS event_at,
       (e.extra -> 'payload' -> 'merchant_order_ids')::text AS ids,
       r.run_id,
       r.queued_at                               AS run_queued_at,
       land.queued_dttm                          AS land_queued_at,
       land.start_date                           AS land_started_at,
       land.end_date                             AS land_ended_at,
       ack.queued_dttm                           AS ack_queued_at,
       ack.start_date                            AS ack_started_at,
       ack.end_date                              AS ack_ended_at
FROM asset_event e
JOIN asset a ON a.id = e.asset_id AND a.name = %(asset)s
LEFT JOIN dagrun_asset_event dae ON dae.event_id = e.id
LEFT JOIN dag_run r ON r.id = dae.dag_run_id
LEFT JOIN task_instance land ON land.dag_id = r.dag_id AND land.run_id = r.run_id AND land.task_id = 'land_new_orders'
LEFT JOIN task_instance ack ON ack.dag_id = r.dag_id AND ack.run_id = r.run_id AND ack.task_id = 'acknowledge_new_orders'
WHERE e.timestamp >= %(since)s
ORDER BY e.timestamp;
