-- What the catalog sync pushes: per SKU and kind, the value Jet should have, when it
-- differs from the last value Jet accepted (jet.catalog_accepted; the outbox's actions on the SKU). Left out: a kind
-- whose toggle is off; SKUs archived or deleted on Jet, or not on Jet at all (Jet would
-- refuse them); a SKU whose last push is still open in the outbox (drained first); a
-- value Jet already refused as such (4xx: sent again only once it changes).
-- Bodies are canonical (nodes sorted), so equal values compare equal as jsonb.
WITH inventory AS (
    SELECT w.sku, %(inventory_call)s::text AS call,
           jsonb_build_object('fulfillment_nodes', jsonb_agg(
               jsonb_build_object('fulfillment_node_id', w.fulfillment_node, 'quantity', w.sellable)
               ORDER BY w.fulfillment_node)) AS body
    FROM jet.catalog_wanted w
    WHERE %(push_stock)s
    GROUP BY w.sku
), price AS (
    SELECT p.sku, %(price_call)s::text AS call,
           jsonb_build_object('price', p.price) || coalesce(n.nodes, '{}'::jsonb) AS body
    FROM jet.products p
    LEFT JOIN LATERAL (
        SELECT jsonb_build_object('fulfillment_nodes', jsonb_agg(
                   jsonb_build_object('fulfillment_node_id', i.fulfillment_node, 'fulfillment_node_price', i.node_price)
                   ORDER BY i.fulfillment_node)) AS nodes
        FROM jet.inventory i
        WHERE i.sku = p.sku AND i.node_price IS NOT NULL
        HAVING count(*) > 0
    ) n ON true
    WHERE %(push_prices)s AND p.price IS NOT NULL
), wanted AS (
    SELECT * FROM inventory
    UNION ALL
    SELECT * FROM price
)
SELECT w.sku, w.call, w.body::text AS body
FROM wanted w
JOIN jet.products p USING (sku)
LEFT JOIN LATERAL (  -- the last value Jet accepted (jet.catalog_accepted)
    SELECT x.body
    FROM jet.actions x
    WHERE x.merchant_order_id IS NULL AND x.call = w.call AND x.subject = w.sku AND x.state = 'applied'
    ORDER BY x.action_id DESC
    LIMIT 1
) a ON true
LEFT JOIN LATERAL (
    SELECT x.state, x.body, x.http_status
    FROM jet.actions x
    WHERE x.merchant_order_id IS NULL AND x.call = w.call AND x.subject = w.sku
    ORDER BY x.action_id DESC
    LIMIT 1
) last ON true
WHERE NOT p.archived_on_jet
  AND p.on_jet IS NOT false
  AND a.body IS DISTINCT FROM w.body
  AND (last.state IS NULL OR last.state NOT IN ('pending', 'sending', 'unknown', 'not_applied'))
  AND NOT (last.state IS NOT DISTINCT FROM 'failed' AND last.http_status BETWEEN 400 AND 499 AND last.body = w.body)
ORDER BY w.sku, w.call;
