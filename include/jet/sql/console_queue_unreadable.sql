-- Orders the warehouse cannot read (jet.unreadable_orders), newest first.
SELECT * FROM jet.unreadable_orders LIMIT %(limit)s;
