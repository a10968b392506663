-- Units of an order's lines already refunded or being refunded: our merchant refunds
-- (unless Jet rejected them, or their POST failed for good) and completed returns.
SELECT order_item_id, sum(units)::integer FROM (
    SELECT i.order_item_id, i.quantity AS units
    FROM jet.refunds r
    JOIN jet.refund_items i USING (alt_refund_id)
    LEFT JOIN jet.actions a ON a.merchant_order_id = r.merchant_order_id AND a.subject = r.alt_refund_id
        AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.subject = 'refund')
    WHERE r.merchant_order_id = %(merchant_order_id)s
      AND coalesce(r.refund_status, '') NOT LIKE %(vocab_refund_rejected_like)s
      AND coalesce(a.state, '') <> 'failed'
    UNION ALL
    SELECT i.order_item_id, coalesce(i.refund_quantity, 0)
    FROM jet.returns r JOIN jet.return_items i USING (merchant_return_authorization_id)
    WHERE r.merchant_order_id = %(merchant_order_id)s AND r.return_status = %(vocab_return_completed)s
) t
GROUP BY 1;
