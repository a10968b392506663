-- Orders the warehouse cannot read (jet.unreadable_orders), newest first.
SELECT * FROM jet.unreadable_orders ORDER BY last_failed_at DESC LIMIT %(limit)s;
