-- The demo's summary: every order placed in [%(start)s, %(end)s) that Jet made ready,
-- by what became of it (Jet's own view as last landed), with units ordered, shipped and
-- cancelled. Outcomes are exclusive and cover every order. "Cancelled after acceptance":
-- every unit cancelled, by the warehouse, an operator or at Jet's request (who did it:
-- jet.order_cancellations, the summary's last section).
SELECT CASE
           WHEN o.exception_state = %(vocab_exception_manual_cancel)s THEN 'withdrawn by Jet'
           WHEN o.acknowledgement_status = ANY(%(vocab_ack_rejections)s) THEN 'rejected'
           WHEN o.acknowledgement_status IS DISTINCT FROM %(vocab_ack_accepted)s THEN 'not answered'
           WHEN o.units_shipped >= o.units_ordered THEN 'shipped in full'
           WHEN o.units_shipped > 0 AND o.units_shipped + o.units_cancelled >= o.units_ordered
               THEN 'shipped in part, rest cancelled'
           WHEN o.units_shipped > 0 THEN 'shipped in part, rest to ship'
           WHEN o.units_cancelled >= o.units_ordered THEN 'cancelled after acceptance'
           ELSE 'accepted, to ship'
       END AS outcome,
       count(*)::integer AS orders,
       sum(o.units_ordered)::integer AS units_ordered,
       sum(o.units_shipped)::integer AS units_shipped,
       sum(o.units_cancelled)::integer AS units_cancelled
FROM analytics.order_outcomes o
WHERE o.order_placed_at >= %(start)s AND o.order_placed_at < %(end)s AND o.ready_at IS NOT NULL
GROUP BY 1
ORDER BY 2 DESC, 1;
