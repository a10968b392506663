-- What the catalog sync pushes: per SKU and kind, the value Jet should have, when it
-- differs from the last value Jet accepted (jet.catalog_accepted). Left out: a kind
-- whose toggle is off; SKUs archived or deleted on Jet, or not on Jet at all (Jet would
-- refuse them); a SKU whose last push is still unsettled (settled first, by read-back);
-- a value Jet already refused as such (sent again only once it changes).
-- Bodies are canonical (nodes sorted), so equal values compare equal as jsonb.
WITH inventory AS (
    SELECT w.sku, 'inventory'::text AS kind,
           jsonb_build_object('fulfillment_nodes', jsonb_agg(
               jsonb_build_object('fulfillment_node_id', w.fulfillment_node, 'quantity', w.sellable)
               ORDER BY w.fulfillment_node)) AS body
    FROM jet.catalog_wanted w
    WHERE %(push_stock)s
    GROUP BY w.sku
), price AS (
    SELECT p.sku, 'price'::text AS kind,
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
SELECT w.sku, w.kind, w.body::text AS body
FROM wanted w
JOIN jet.products p USING (sku)
LEFT JOIN jet.catalog_accepted a USING (sku, kind)
LEFT JOIN LATERAL (
    SELECT x.state, x.body
    FROM jet.catalog_pushes x
    WHERE x.sku = w.sku AND x.kind = w.kind
    ORDER BY x.push_id DESC
    LIMIT 1
) last ON true
WHERE NOT p.archived_on_jet
  AND p.on_jet IS NOT false
  AND a.body IS DISTINCT FROM w.body
  AND (last.state IS NULL OR last.state NOT IN ('sending', 'unknown'))
  AND NOT (last.state IS NOT DISTINCT FROM 'refused' AND last.body = w.body)
ORDER BY w.sku, w.kind;
