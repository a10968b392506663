-- An order's notes, top to bottom.
SELECT note_id, noted_at, author, kind, body, source, actor
FROM jet.order_notes
WHERE merchant_order_id = %(merchant_order_id)s
ORDER BY note_id;
