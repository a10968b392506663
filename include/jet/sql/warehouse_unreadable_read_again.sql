-- Records this run read that were unreadable before: they leave the unreadable views.
UPDATE jet.unreadable
   SET read_again_at = %(at)s
 WHERE kind = %(kind)s
   AND object_id = ANY(%(ids)s)
   AND read_again_at IS NULL
   AND last_failed_at < %(at)s
