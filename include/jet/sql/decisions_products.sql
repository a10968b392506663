-- Catalog entries of the given SKUs.
SELECT sku, replenishable, archived FROM jet.products WHERE sku = ANY(%(skus)s);
