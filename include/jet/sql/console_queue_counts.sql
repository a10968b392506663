-- How many items wait in each of the order manager's queues (shown on every page).
SELECT
    (SELECT count(*) FROM jet.decisions d JOIN jet.orders o USING (merchant_order_id)
     WHERE d.outcome = 'hold' AND NOT d.dry_run AND o.status = %(vocab_order_ready)s
       AND NOT EXISTS (SELECT 1 FROM jet.actions a WHERE a.merchant_order_id = d.merchant_order_id
                         AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement)))::integer AS held,
    (SELECT count(*) FROM jet.orders_at_risk_at(%(now)s))::integer AS at_risk,
    (SELECT count(*) FROM jet.actions WHERE state IN ('unknown', 'failed'))::integer AS writes,
    (SELECT count(*) FROM jet.quarantine)::integer AS quarantined,
    (SELECT count(*) FROM jet.returns_at_risk_at(%(now)s))::integer AS returns,
    (SELECT count(*) FROM jet.shipment_request_status WHERE status <> 'confirmed')::integer AS shipments;
