-- Upsert one staged batch into the order tables (same transaction as the COPY;
-- raw payloads are landed by load.land_payloads).
-- Rows are only written when their content changed, and never by an older run
-- than the one that wrote them, so re-running a run changes nothing.

INSERT INTO jet.quarantine AS t
SELECT * FROM stage_quarantine
ON CONFLICT (kind, object_id, raw_hash) DO UPDATE
   SET last_seen_at = EXCLUDED.last_seen_at, last_batch_key = EXCLUDED.last_batch_key
 WHERE t.last_seen_at < EXCLUDED.last_seen_at;

INSERT INTO jet.customers AS t
SELECT * FROM stage_customers
ON CONFLICT (hash_email) DO UPDATE
   SET name = EXCLUDED.name, phone_number = EXCLUDED.phone_number, updated_at = EXCLUDED.updated_at
 WHERE (t.name, t.phone_number) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.phone_number)
   AND t.updated_at <= EXCLUDED.updated_at;

WITH upserted AS (
INSERT INTO jet.orders AS t
SELECT * FROM stage_orders
ON CONFLICT (merchant_order_id) DO UPDATE SET
    reference_order_id = EXCLUDED.reference_order_id,
    customer_reference_order_id = EXCLUDED.customer_reference_order_id,
    alt_order_id = EXCLUDED.alt_order_id,
    fulfillment_node = EXCLUDED.fulfillment_node,
    hash_email = EXCLUDED.hash_email,
    status = EXCLUDED.status,
    exception_state = EXCLUDED.exception_state,
    order_placed_at = EXCLUDED.order_placed_at,
    order_transmitted_at = EXCLUDED.order_transmitted_at,
    ready_at = EXCLUDED.ready_at,
    acknowledged_at = EXCLUDED.acknowledged_at,
    acknowledgement_status = EXCLUDED.acknowledgement_status,
    jet_request_directed_cancel = EXCLUDED.jet_request_directed_cancel,
    has_shipments = EXCLUDED.has_shipments,
    request_shipping_carrier = EXCLUDED.request_shipping_carrier,
    request_shipping_method = EXCLUDED.request_shipping_method,
    request_service_level = EXCLUDED.request_service_level,
    request_ship_by = EXCLUDED.request_ship_by,
    request_delivery_by = EXCLUDED.request_delivery_by,
    total_base_price = EXCLUDED.total_base_price,
    total_item_tax = EXCLUDED.total_item_tax,
    total_shipping_cost = EXCLUDED.total_shipping_cost,
    total_shipping_tax = EXCLUDED.total_shipping_tax,
    total_item_fees = EXCLUDED.total_item_fees,
    total_regulatory_fees = EXCLUDED.total_regulatory_fees,
    payload_hash = EXCLUDED.payload_hash,
    updated_at = EXCLUDED.updated_at,
    last_batch_key = EXCLUDED.last_batch_key
 WHERE t.payload_hash IS DISTINCT FROM EXCLUDED.payload_hash
   AND t.updated_at <= EXCLUDED.updated_at
RETURNING t.merchant_order_id
)
INSERT INTO stage_changed_orders SELECT merchant_order_id FROM upserted;

-- Children follow their order: only orders this batch inserted or changed.
INSERT INTO jet.order_items AS t
SELECT s.* FROM stage_order_items s
JOIN stage_changed_orders USING (merchant_order_id)
ON CONFLICT (merchant_order_id, order_item_id) DO UPDATE SET
    line_number = EXCLUDED.line_number,
    merchant_sku = EXCLUDED.merchant_sku,
    alt_order_item_id = EXCLUDED.alt_order_item_id,
    product_title = EXCLUDED.product_title,
    quantity = EXCLUDED.quantity,
    cancel_requested_qty = EXCLUDED.cancel_requested_qty,
    unit_price = EXCLUDED.unit_price,
    item_tax = EXCLUDED.item_tax,
    item_shipping_cost = EXCLUDED.item_shipping_cost,
    item_shipping_tax = EXCLUDED.item_shipping_tax,
    item_fees = EXCLUDED.item_fees,
    regulatory_fees = EXCLUDED.regulatory_fees,
    price_adjustment = EXCLUDED.price_adjustment,
    fee_adjustments = EXCLUDED.fee_adjustments,
    item_tax_code = EXCLUDED.item_tax_code,
    acknowledgement_status = EXCLUDED.acknowledgement_status
 WHERE (t.*) IS DISTINCT FROM (EXCLUDED.*);

INSERT INTO jet.shipping_addresses AS t
SELECT s.* FROM stage_shipping_addresses s
JOIN stage_changed_orders USING (merchant_order_id)
ON CONFLICT (merchant_order_id) DO UPDATE SET
    recipient_name = EXCLUDED.recipient_name,
    recipient_phone = EXCLUDED.recipient_phone,
    address1 = EXCLUDED.address1,
    address2 = EXCLUDED.address2,
    city = EXCLUDED.city,
    state = EXCLUDED.state,
    zip_code = EXCLUDED.zip_code
 WHERE (t.*) IS DISTINCT FROM (EXCLUDED.*);

INSERT INTO jet.order_shipments AS t
SELECT s.* FROM stage_order_shipments s
JOIN stage_changed_orders USING (merchant_order_id)
ON CONFLICT (merchant_order_id, shipment_key, merchant_sku) DO UPDATE SET
    shipment_id = EXCLUDED.shipment_id,
    alt_shipment_id = EXCLUDED.alt_shipment_id,
    carrier = EXCLUDED.carrier,
    shipment_method = EXCLUDED.shipment_method,
    tracking_number = EXCLUDED.tracking_number,
    shipped_at = EXCLUDED.shipped_at,
    shipped_qty = EXCLUDED.shipped_qty,
    cancelled_qty = EXCLUDED.cancelled_qty
 WHERE (t.*) IS DISTINCT FROM (EXCLUDED.*);

INSERT INTO jet.order_status_history
SELECT s.* FROM stage_order_status_history s
JOIN stage_changed_orders USING (merchant_order_id)
ON CONFLICT DO NOTHING;

INSERT INTO jet.order_fetch_misses AS t
SELECT * FROM stage_order_fetch_misses
ON CONFLICT (merchant_order_id) DO UPDATE
   SET last_missing_at = EXCLUDED.last_missing_at, last_batch_key = EXCLUDED.last_batch_key
 WHERE t.last_missing_at < EXCLUDED.last_missing_at;
