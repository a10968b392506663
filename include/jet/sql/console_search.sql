-- The order list: orders matching a partial text (merchant or reference order id, the
-- customer's name or email, a SKU, a tracking number, a return id) and the filters,
-- newest first, one page, with the total count and what the text matched on.
-- pattern is an ILIKE pattern (the text between two wildcards, its own wildcards escaped) or NULL.
WITH found AS (
    SELECT o.merchant_order_id,
           CASE
               WHEN %(pattern)s::text IS NULL THEN NULL
               WHEN o.merchant_order_id ILIKE %(pattern)s THEN 'order id'
               WHEN o.reference_order_id ILIKE %(pattern)s
                    OR o.customer_reference_order_id ILIKE %(pattern)s THEN 'reference order id'
               WHEN o.hash_email ILIKE %(pattern)s THEN 'customer email'
               WHEN c.name ILIKE %(pattern)s OR a.recipient_name ILIKE %(pattern)s THEN 'customer name'
               WHEN EXISTS (SELECT 1 FROM jet.order_items i
                            WHERE i.merchant_order_id = o.merchant_order_id AND i.merchant_sku ILIKE %(pattern)s)
                   THEN 'SKU'
               WHEN EXISTS (SELECT 1 FROM jet.order_shipments s
                            WHERE s.merchant_order_id = o.merchant_order_id AND s.tracking_number ILIKE %(pattern)s)
                    OR EXISTS (SELECT 1 FROM jet.shipment_requests r
                               WHERE r.merchant_order_id = o.merchant_order_id
                                 AND r.tracking_number ILIKE %(pattern)s)
                    OR EXISTS (SELECT 1 FROM jet.returns r
                               WHERE r.merchant_order_id = o.merchant_order_id
                                 AND r.tracking_number ILIKE %(pattern)s)
                   THEN 'tracking number'
               WHEN EXISTS (SELECT 1 FROM jet.returns r
                            WHERE r.merchant_order_id = o.merchant_order_id
                              AND (r.merchant_return_authorization_id ILIKE %(pattern)s
                                   OR r.reference_return_authorization_id ILIKE %(pattern)s))
                   THEN 'return id'
           END AS matched_on
    FROM jet.orders o
    LEFT JOIN jet.customers c USING (hash_email)
    LEFT JOIN jet.shipping_addresses a USING (merchant_order_id)
    WHERE (%(placed_from)s::timestamptz IS NULL OR o.order_placed_at >= %(placed_from)s)
      AND (%(placed_to)s::timestamptz IS NULL OR o.order_placed_at < %(placed_to)s)
      AND CASE %(exception)s::text
              WHEN 'any' THEN true
              WHEN 'none' THEN o.exception_state IS NULL OR o.exception_state = %(vocab_exception_resolved)s
              WHEN 'open' THEN o.exception_state IS NOT NULL AND o.exception_state <> %(vocab_exception_resolved)s
              ELSE o.exception_state = %(exception)s
          END
),
matching AS (
    SELECT f.merchant_order_id, f.matched_on
    FROM found f
    WHERE (%(pattern)s::text IS NULL OR f.matched_on IS NOT NULL)
      AND (%(internal_status)s::text IS NULL
           OR EXISTS (SELECT 1 FROM jet.order_status_map m
                      WHERE m.merchant_order_id = f.merchant_order_id AND m.internal_status = %(internal_status)s))
),
page AS (
    SELECT m.merchant_order_id, m.matched_on, o.order_placed_at, count(*) OVER () AS total
    FROM matching m
    JOIN jet.orders o USING (merchant_order_id)
    ORDER BY o.order_placed_at DESC, m.merchant_order_id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT p.merchant_order_id, o.reference_order_id, coalesce(c.name, a.recipient_name) AS customer_name,
       o.hash_email AS customer_email, s.internal_status, o.status AS jet_status, o.exception_state,
       o.order_placed_at AS placed_at, o.ready_at,
       CASE WHEN r.merchant_order_id IS NOT NULL THEN r.deadline END AS ack_deadline,
       r.state AS ack_state,
       (SELECT sum(i.quantity) FROM jet.order_items i WHERE i.merchant_order_id = p.merchant_order_id)::integer
           AS units,
       coalesce(o.total_base_price, 0) + coalesce(o.total_item_tax, 0) + coalesce(o.total_shipping_cost, 0)
           + coalesce(o.total_shipping_tax, 0) AS order_total,
       p.matched_on, p.total
FROM page p
JOIN jet.orders o USING (merchant_order_id)
LEFT JOIN jet.customers c USING (hash_email)
LEFT JOIN jet.shipping_addresses a USING (merchant_order_id)
LEFT JOIN jet.order_status_map s USING (merchant_order_id)
LEFT JOIN jet.orders_at_risk_at(%(now)s) r USING (merchant_order_id)
ORDER BY p.order_placed_at DESC, p.merchant_order_id;
