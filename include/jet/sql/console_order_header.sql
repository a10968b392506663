-- One order's header for the order page: Jet's fields, the customer, the ship-to, our
-- internal status and the acknowledgement deadline while it is still open.
SELECT o.merchant_order_id, o.reference_order_id, o.customer_reference_order_id, o.alt_order_id,
       o.fulfillment_node, o.status AS jet_status, o.exception_state, s.internal_status,
       o.order_placed_at AS placed_at, o.order_transmitted_at AS transmitted_at, o.ready_at, o.acknowledged_at,
       o.acknowledgement_status, o.jet_request_directed_cancel AS directed_cancel,
       o.request_shipping_carrier, o.request_shipping_method, o.request_service_level, o.request_ship_by,
       o.request_delivery_by,
       o.total_base_price, o.total_item_tax, o.total_shipping_cost, o.total_shipping_tax, o.total_item_fees,
       coalesce(o.total_base_price, 0) + coalesce(o.total_item_tax, 0) + coalesce(o.total_shipping_cost, 0)
           + coalesce(o.total_shipping_tax, 0) AS order_total,
       o.hash_email AS customer_email, c.name AS customer_name, c.phone_number AS customer_phone,
       a.recipient_name, a.recipient_phone, a.address1, a.address2, a.city, a.state, a.zip_code,
       r.deadline AS ack_deadline, r.state AS ack_state,
       o.updated_at
FROM jet.orders o
LEFT JOIN jet.customers c USING (hash_email)
LEFT JOIN jet.shipping_addresses a USING (merchant_order_id)
LEFT JOIN jet.order_status_map s USING (merchant_order_id)
LEFT JOIN jet.orders_at_risk_at(%(now)s) r USING (merchant_order_id)
WHERE o.merchant_order_id = %(merchant_order_id)s;
