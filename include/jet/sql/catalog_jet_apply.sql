-- Follow Jet's SKU list (staged in stage_jet_skus): keep jet.jet_skus, then mark the
-- products. Archived on Jet, or deleted there (listed before, no longer listed), is
-- archived_on_jet (it sells nothing and is not pushed), and listed again, not archived,
-- is restored. Rows change only when something did: an unchanged catalog writes nothing.
INSERT INTO jet.jet_skus AS j (sku, status, is_archived, listed, first_seen_at, changed_at, run_id)
SELECT s.sku, CASE WHEN s.is_archived THEN 'Archived' ELSE 'Listed' END, s.is_archived, true,
       %(pulled_at)s, %(pulled_at)s, %(run_id)s
FROM stage_jet_skus s
ON CONFLICT (sku) DO UPDATE
   SET status = EXCLUDED.status, is_archived = EXCLUDED.is_archived, listed = true,
       changed_at = EXCLUDED.changed_at, run_id = EXCLUDED.run_id
 WHERE (j.is_archived, j.listed) IS DISTINCT FROM (EXCLUDED.is_archived, true);

UPDATE jet.jet_skus j
   SET listed = false, status = 'not listed', changed_at = %(pulled_at)s, run_id = %(run_id)s
 WHERE j.listed AND NOT EXISTS (SELECT 1 FROM stage_jet_skus s WHERE s.sku = j.sku);

WITH seen AS (
    SELECT p.sku, p.archived_on_jet AS was_archived,
           coalesce(j.listed, false) AS on_jet,
           coalesce(j.status, 'not listed') AS status,
           coalesce(j.listed AND j.is_archived, false) OR coalesce(NOT j.listed, false) AS archived_on_jet
    FROM jet.products p
    LEFT JOIN jet.jet_skus j USING (sku)
)
UPDATE jet.products p
   SET on_jet = seen.on_jet, jet_status = seen.status, archived_on_jet = seen.archived_on_jet,
       jet_status_at = %(pulled_at)s
  FROM seen
 WHERE p.sku = seen.sku
   AND (p.on_jet, p.jet_status, p.archived_on_jet) IS DISTINCT FROM (seen.on_jet, seen.status, seen.archived_on_jet)
RETURNING p.sku, seen.was_archived, p.archived_on_jet, p.on_jet;
