-- An order's whole dated story, Jet's side and ours (the one place: jet.order_timeline).
SELECT at, side, who, actor, kind, body, source
FROM jet.order_timeline
WHERE merchant_order_id = %(merchant_order_id)s
ORDER BY at, phase, seq;
