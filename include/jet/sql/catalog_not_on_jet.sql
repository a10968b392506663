-- Products of the catalog that Jet never listed (nothing is pushed for them).
SELECT count(*)::integer, (array_agg(p.sku ORDER BY p.sku))[1:%(shown)s]
FROM jet.products p
WHERE p.on_jet IS false AND NOT p.archived_on_jet;
