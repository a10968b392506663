-- Lines of every ready order still to decide, oldest order first.
-- "To decide": no real (non dry-run) decision yet and no acknowledgement call queued
-- (an operator may have cancelled it by hand before the rules saw it).
-- quantity is what is left to decide: units ordered minus units Jet asked to cancel.
SELECT o.merchant_order_id, o.fulfillment_node, o.ready_at,
       i.order_item_id, i.merchant_sku, greatest(0, i.quantity - i.cancel_requested_qty) AS quantity
FROM jet.orders o
JOIN jet.order_items i USING (merchant_order_id)
WHERE o.status = %(vocab_order_ready)s
  AND o.ready_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM jet.decisions d WHERE d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run)
  AND NOT EXISTS (SELECT 1 FROM jet.actions a
                  WHERE a.merchant_order_id = o.merchant_order_id AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.acknowledgement))
ORDER BY o.ready_at, o.merchant_order_id, i.line_number;
