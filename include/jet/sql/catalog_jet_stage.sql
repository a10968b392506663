-- Jet's SKU list of this pull, dropped at commit.
CREATE TEMP TABLE stage_jet_skus (sku text PRIMARY KEY, is_archived boolean NOT NULL) ON COMMIT DROP;
