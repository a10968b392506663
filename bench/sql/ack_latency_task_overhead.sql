-- Per task instance of the measured window: how long the scheduler and executor took to
-- start it (scheduled -> queued -> running) and how long it ran. Airflow's metadata DB.
SELECT ti.dag_id,
       ti.task_id,
       ti.state,
       EXTRACT(EPOCH FROM ti.queued_dttm - ti.scheduled_dttm) AS scheduled_to_queued,
       EXTRACT(EPOCH FROM ti.start_date - ti.queued_dttm)     AS queued_to_running,
       EXTRACT(EPOCH FROM ti.end_date - ti.start_date)        AS running
FROM task_instance ti
WHERE ti.start_date >= %(since)s AND ti.queued_dttm IS NOT NULL
ORDER BY ti.dag_id, ti.task_id, ti.start_date;
