-- Open returns with no completion action yet, with the reasons of their lines and the
-- total the customer asks back (for the return policy's automatic completion).
SELECT r.merchant_return_authorization_id, r.merchant_order_id,
       array_agg(lower(coalesce(i.reason, ''))) AS reasons,
       sum(coalesce(i.requested_principal, 0) + coalesce(i.requested_tax, 0) + coalesce(i.requested_shipping_cost, 0)
           + coalesce(i.requested_shipping_tax, 0)) AS requested_total
FROM jet.returns r
JOIN jet.return_items i USING (merchant_return_authorization_id)
WHERE r.return_status = ANY(%(vocab_open_return_statuses)s)
  AND EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = r.merchant_order_id)
  AND NOT EXISTS (SELECT 1 FROM jet.actions a
                  WHERE a.subject = r.merchant_return_authorization_id
                    AND a.call IN (SELECT k.kind FROM jet.action_kinds k WHERE k.subject = 'return'))
GROUP BY 1, 2
ORDER BY 1;
