INSERT INTO jet.decision_lines (decision_id, order_item_id, merchant_sku, quantity, status, reason, reserved,
                                units_to_cancel)
VALUES (%(decision_id)s, %(order_item_id)s, %(merchant_sku)s, %(quantity)s, %(status)s, %(reason)s, %(reserved)s,
        %(units_to_cancel)s);
