-- Units a partial accept said to cancel (decision_lines.units_to_cancel, policy
-- accept_available), per order and SKU, for orders Jet shows acknowledged or in progress
-- whose acknowledgement Jet has applied and whose cancel-only shipment is not recorded
-- yet (request_key units_to_cancel/<decision id>).
SELECT d.merchant_order_id, d.decision_id, l.merchant_sku, sum(l.units_to_cancel)::integer AS units
FROM jet.decisions d
JOIN jet.decision_lines l USING (decision_id)
JOIN jet.actions a ON a.decision_id = d.decision_id AND a.call = %(acknowledge_call)s AND a.state = 'applied'
JOIN jet.orders o ON o.merchant_order_id = d.merchant_order_id
WHERE NOT d.dry_run
  AND l.units_to_cancel > 0
  AND o.status = ANY(%(vocab_open_order_statuses)s)
  AND NOT EXISTS (SELECT 1 FROM jet.shipment_requests r WHERE r.request_key = 'units_to_cancel/' || d.decision_id)
GROUP BY d.merchant_order_id, d.decision_id, l.merchant_sku
ORDER BY d.merchant_order_id, l.merchant_sku;
