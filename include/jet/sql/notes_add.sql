-- Append a note (jet.add_order_note dedupes on dedupe_key and returns the note id).
SELECT jet.add_order_note(%(merchant_order_id)s, %(author)s, %(body)s, %(noted_at)s, %(kind)s, %(source)s, %(dedupe_key)s);
