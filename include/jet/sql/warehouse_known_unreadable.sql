-- Which of these records the latest attempts could not read.
SELECT object_id FROM jet.unreadable_now WHERE kind = %(kind)s AND object_id = ANY(%(ids)s)
