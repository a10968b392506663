-- Which of these orders the latest attempts could not read.
SELECT merchant_order_id FROM jet.unreadable_orders WHERE merchant_order_id = ANY(%(ids)s)
