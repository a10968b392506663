INSERT INTO jet.return_items (merchant_return_authorization_id, order_item_id, merchant_sku, title, return_quantity,
                              reason, requested_principal, requested_tax, requested_shipping_cost,
                              requested_shipping_tax, quantity_returned, refund_quantity, refund_feedback, notes,
                              refund_principal, refund_tax, refund_shipping_cost, refund_shipping_tax)
VALUES (%(id)s, %(order_item_id)s, %(merchant_sku)s, %(title)s, %(return_quantity)s, %(reason)s,
        %(requested_principal)s, %(requested_tax)s, %(requested_shipping_cost)s, %(requested_shipping_tax)s,
        %(quantity_returned)s, %(refund_quantity)s, %(refund_feedback)s, %(notes)s, %(refund_principal)s,
        %(refund_tax)s, %(refund_shipping_cost)s, %(refund_shipping_tax)s)
ON CONFLICT (merchant_return_authorization_id, order_item_id) DO UPDATE SET
    merchant_sku = EXCLUDED.merchant_sku, title = EXCLUDED.title, return_quantity = EXCLUDED.return_quantity,
    reason = EXCLUDED.reason, requested_principal = EXCLUDED.requested_principal,
    requested_tax = EXCLUDED.requested_tax, requested_shipping_cost = EXCLUDED.requested_shipping_cost,
    requested_shipping_tax = EXCLUDED.requested_shipping_tax, quantity_returned = EXCLUDED.quantity_returned,
    refund_quantity = EXCLUDED.refund_quantity, refund_feedback = EXCLUDED.refund_feedback, notes = EXCLUDED.notes,
    refund_principal = EXCLUDED.refund_principal, refund_tax = EXCLUDED.refund_tax,
    refund_shipping_cost = EXCLUDED.refund_shipping_cost, refund_shipping_tax = EXCLUDED.refund_shipping_tax;
