-- One order's lines with their units: ordered, acknowledged (Jet echoed the line as
-- fulfillable), returned (customers' returns), refunded (completed returns and merchant
-- refunds not rejected). Shipped and cancelled units are per SKU at Jet
-- (console_order_sku_units.sql) and are spread over the lines in Python.
SELECT i.order_item_id, i.line_number, i.merchant_sku, i.product_title, i.quantity AS ordered,
       CASE WHEN i.acknowledgement_status = %(vocab_item_fulfillable)s THEN i.quantity ELSE 0 END AS acknowledged,
       i.cancel_requested_qty AS cancel_requested, i.unit_price, i.item_tax, i.item_shipping_cost,
       i.item_shipping_tax, i.item_fees, i.acknowledgement_status,
       coalesce((SELECT sum(ri.return_quantity) FROM jet.return_items ri
                 JOIN jet.returns r USING (merchant_return_authorization_id)
                 WHERE r.merchant_order_id = i.merchant_order_id AND ri.order_item_id = i.order_item_id), 0)::integer
           AS returned,
       (coalesce((SELECT sum(ri.refund_quantity) FROM jet.return_items ri
                  JOIN jet.returns r USING (merchant_return_authorization_id)
                  WHERE r.merchant_order_id = i.merchant_order_id AND ri.order_item_id = i.order_item_id
                    AND r.return_status = %(vocab_return_completed)s), 0)
        + coalesce((SELECT sum(fi.quantity) FROM jet.refund_items fi
                    JOIN jet.refunds f USING (alt_refund_id)
                    WHERE f.merchant_order_id = i.merchant_order_id AND fi.order_item_id = i.order_item_id
                      AND coalesce(f.refund_status, '') NOT LIKE %(vocab_refund_rejected_like)s), 0))::integer AS refunded
FROM jet.order_items i
WHERE i.merchant_order_id = %(merchant_order_id)s
ORDER BY i.line_number, i.order_item_id;
