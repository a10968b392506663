-- Orders that are neither in jet.orders nor named by any settlement line leave jet.order_pnl
-- (every order in the full rebuild, the scoped orders in the incremental refresh).
DELETE FROM jet.order_pnl p
WHERE (%(full)s OR p.merchant_order_id = ANY (ARRAY(SELECT merchant_order_id FROM pnl_scope)))
  AND NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = p.merchant_order_id)
  AND NOT EXISTS (SELECT 1 FROM jet.settlement_lines l WHERE l.merchant_order_id = p.merchant_order_id);
