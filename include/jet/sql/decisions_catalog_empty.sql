-- Whether the catalog holds no product at all (never loaded, or emptied).
SELECT NOT EXISTS (SELECT 1 FROM jet.products);
