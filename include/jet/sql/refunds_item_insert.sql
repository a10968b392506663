INSERT INTO jet.refund_items (alt_refund_id, order_item_id, merchant_sku, quantity, quantity_returned, principal, tax,
                              shipping_cost, shipping_tax, refund_reason, refund_feedback, notes)
VALUES (%(alt_refund_id)s, %(order_item_id)s, %(merchant_sku)s, %(quantity)s, %(quantity_returned)s, %(principal)s,
        %(tax)s, %(shipping_cost)s, %(shipping_tax)s, %(refund_reason)s, %(refund_feedback)s, %(notes)s);
