-- An order's invoice header: ids, dates, buyer, ship-to, shipping request, Jet's totals.
SELECT o.merchant_order_id, o.reference_order_id, o.alt_order_id, o.status, o.order_placed_at,
       o.request_shipping_carrier, o.request_shipping_method, o.request_service_level,
       c.name AS buyer_name, c.phone_number AS buyer_phone,
       a.recipient_name, a.recipient_phone, a.address1, a.address2, a.city, a.state, a.zip_code,
       o.total_base_price, o.total_item_tax, o.total_shipping_cost, o.total_shipping_tax
FROM jet.orders o
LEFT JOIN jet.customers c USING (hash_email)
LEFT JOIN jet.shipping_addresses a USING (merchant_order_id)
WHERE o.merchant_order_id = %(merchant_order_id)s;
