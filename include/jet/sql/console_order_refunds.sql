-- One order's merchant refunds with their lines and Jet's state.
SELECT f.alt_refund_id, f.refund_authorization_id, f.refund_status, f.requested_at, f.requested_by, f.actor,
       f.decided_at, i.order_item_id, i.merchant_sku, i.quantity, i.principal, i.tax, i.shipping_cost,
       i.shipping_tax, i.refund_reason, i.refund_feedback
FROM jet.refunds f
JOIN jet.refund_items i USING (alt_refund_id)
WHERE f.merchant_order_id = %(merchant_order_id)s
ORDER BY f.requested_at, f.alt_refund_id, i.order_item_id;
