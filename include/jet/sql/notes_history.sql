-- An order's whole story in time order (jet.order_history): Jet's events, ours, people's notes.
SELECT note_id, noted_at, author, kind, body, source, actor
FROM jet.order_history
WHERE merchant_order_id = %(merchant_order_id)s
ORDER BY noted_at, phase, seq;
