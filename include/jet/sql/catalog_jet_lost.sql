-- SKUs Jet listed at the last pull and no longer lists, against how many it listed.
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM stage_jet_skus s WHERE s.sku = j.sku))::integer,
       count(*)::integer
FROM jet.jet_skus j
WHERE j.listed;
