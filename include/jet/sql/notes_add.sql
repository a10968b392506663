-- Append a note (jet.add_order_note dedupes on dedupe_key and returns the note id). The
-- actor, when not given, is stamped from the session by the table's trigger (0025);
-- a deduplicated note keeps the actor it was first written with.
SELECT jet.add_order_note(%(merchant_order_id)s, %(author)s, %(body)s, %(noted_at)s, %(kind)s, %(source)s,
                          %(dedupe_key)s, %(actor)s);
