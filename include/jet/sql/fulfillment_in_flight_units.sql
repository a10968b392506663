-- Units per SKU of an order's shipment actions that are queued or unsettled (not yet
-- visible in Jet's shipments, but possibly about to be).
SELECT l.merchant_sku, sum(l.quantity_shipped + l.quantity_cancelled)::integer
FROM jet.shipment_requests r
JOIN jet.shipment_request_lines l USING (shipment_request_id)
JOIN jet.actions a ON a.merchant_order_id = r.merchant_order_id AND a.subject = r.shipment_request_id::text
    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.subject = 'shipment_request')
WHERE r.merchant_order_id = %(merchant_order_id)s AND a.state NOT IN ('applied', 'failed')
GROUP BY 1;
