-- Settle pushes with their outcome (Jet's answer, or the read-back); an accepted one
-- becomes the last value Jet accepted for its SKU and kind. Only an unsettled push is
-- settled: recording the same outcome twice changes nothing.
WITH outcome AS (
    SELECT *
    FROM unnest(%(ids)s::bigint[], %(states)s::text[], %(statuses)s::integer[], %(messages)s::text[],
                %(rate_limited)s::integer[], %(settled_by)s::text[])
         AS o(push_id, state, http_status, jet_message, rate_limited, settled_by)
), settled AS (
    UPDATE jet.catalog_pushes p
       SET state = o.state, answered_at = now(), http_status = o.http_status, jet_message = o.jet_message,
           rate_limited = p.rate_limited + o.rate_limited, settled_by = o.settled_by
      FROM outcome o
     WHERE p.push_id = o.push_id AND p.state IN ('sending', 'unknown')
    RETURNING p.push_id, p.sku, p.kind, p.body, p.state, p.answered_at
)
INSERT INTO jet.catalog_accepted AS a (sku, kind, body, push_id, accepted_at)
SELECT sku, kind, body, push_id, answered_at FROM settled WHERE state = 'accepted'
ON CONFLICT (sku, kind) DO UPDATE
   SET body = EXCLUDED.body, push_id = EXCLUDED.push_id, accepted_at = EXCLUDED.accepted_at
 WHERE a.push_id < EXCLUDED.push_id;
