-- One order's returns with their lines and where their completion is.
SELECT r.merchant_return_authorization_id AS return_id, r.reference_return_authorization_id AS reference_id,
       r.return_status, r.return_date, r.refund_without_return, r.shipping_carrier, r.tracking_number,
       r.merchant_return_charge, r.agree_to_return_charge, r.return_charge_feedback, r.completed_at,
       a.state AS completion_state, a.last_error AS completion_error,
       i.order_item_id, i.merchant_sku, i.title, i.return_quantity, i.reason, i.requested_principal,
       i.requested_tax, i.requested_shipping_cost, i.requested_shipping_tax, i.quantity_returned,
       i.refund_quantity, i.refund_feedback, i.refund_principal, i.refund_tax, i.refund_shipping_cost,
       i.refund_shipping_tax
FROM jet.returns r
LEFT JOIN jet.return_items i USING (merchant_return_authorization_id)
LEFT JOIN jet.actions a ON a.merchant_order_id = r.merchant_order_id
                       AND a.subject = r.merchant_return_authorization_id
                       AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.subject = 'return')
WHERE r.merchant_order_id = %(merchant_order_id)s
ORDER BY r.return_date, r.merchant_return_authorization_id, i.order_item_id;
