-- SKUs Jet lists that the catalog lacks: how many, and the first few by name.
SELECT count(*)::integer, (array_agg(j.sku ORDER BY j.sku))[1:%(shown)s]
FROM jet.jet_skus j
WHERE j.listed AND NOT EXISTS (SELECT 1 FROM jet.products p WHERE p.sku = j.sku);
