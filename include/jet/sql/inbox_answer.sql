-- Record how an order's inbox question ended (once: a second answer changes nothing).
UPDATE jet.held_order_prompts
SET answer = %(answer)s, reason = %(reason)s, answered_by = %(answered_by)s, answered_in = %(answered_in)s,
    answered_at = clock_timestamp(), outcome = %(outcome)s
WHERE merchant_order_id = %(merchant_order_id)s AND answered_in IS NULL
RETURNING merchant_order_id;
