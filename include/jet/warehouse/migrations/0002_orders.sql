-- Orders: raw landing, quarantine, and the normalized order tables.
--
-- Idempotency: every row carries the time and batch of the run that observed it
-- (the DAG run's logical time, never now()), and upserts only touch rows whose
-- content changed, so re-running a run leaves every table byte-for-byte the same.
-- Money is numeric (USD, exact as Jet sent it); times are timestamptz (UTC).

CREATE TABLE jet.ingest_batches (
    batch_key       text PRIMARY KEY,
    source          text        NOT NULL,
    dag_run_id      text,
    observed_at     timestamptz NOT NULL,
    orders_listed   integer     NOT NULL DEFAULT 0,
    orders_loaded   integer     NOT NULL DEFAULT 0,
    orders_changed  integer     NOT NULL DEFAULT 0,
    quarantined     integer     NOT NULL DEFAULT 0
);
COMMENT ON TABLE jet.ingest_batches IS 'One row per batch of orders fetched from Jet and loaded in one transaction. Key: batch_key (DAG run + chunk). Counts are per batch.';
COMMENT ON COLUMN jet.ingest_batches.batch_key IS 'Deterministic key: <dag_id>/<logical time>/<chunk>; a re-run of the same run reuses it.';
COMMENT ON COLUMN jet.ingest_batches.source IS 'What produced the batch: orders (scheduled pull), import (manual import DAG), refresh (open orders re-read).';
COMMENT ON COLUMN jet.ingest_batches.observed_at IS 'The DAG run''s logical time (UTC); every row this batch writes is stamped with it.';
COMMENT ON COLUMN jet.ingest_batches.orders_loaded IS 'Valid payloads in the batch (changed or not).';
COMMENT ON COLUMN jet.ingest_batches.orders_changed IS 'Orders whose payload differed from the last version landed.';
COMMENT ON COLUMN jet.ingest_batches.quarantined IS 'Payloads that failed validation and went to jet.quarantine.';

CREATE TABLE jet.order_payloads (
    merchant_order_id text        NOT NULL,
    payload_hash      text        NOT NULL,
    payload           jsonb       NOT NULL,
    first_seen_at     timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    first_batch_key   text        NOT NULL REFERENCES jet.ingest_batches,
    last_batch_key    text        NOT NULL REFERENCES jet.ingest_batches,
    PRIMARY KEY (merchant_order_id, payload_hash)
);
COMMENT ON TABLE jet.order_payloads IS 'Raw landing: every distinct version of every valid order payload Jet served, as JSONB. Key: (merchant_order_id, payload_hash). Never updated except last_seen_*.';
COMMENT ON COLUMN jet.order_payloads.payload_hash IS 'sha256 (hex) of the body exactly as Jet served it.';
COMMENT ON COLUMN jet.order_payloads.first_seen_at IS 'Logical time of the first run that saw this version (UTC).';
COMMENT ON COLUMN jet.order_payloads.last_seen_at IS 'Logical time of the latest run that saw this version (UTC).';

CREATE TABLE jet.quarantine (
    kind            text        NOT NULL,
    object_id       text        NOT NULL,
    raw_hash        text        NOT NULL,
    raw_body        text        NOT NULL,
    error           text        NOT NULL,
    error_field     text,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    first_batch_key text        NOT NULL,
    last_batch_key  text        NOT NULL,
    PRIMARY KEY (kind, object_id, raw_hash)
);
COMMENT ON TABLE jet.quarantine IS 'Payloads that failed validation, kept with their raw body and a readable error; nothing is dropped. Key: (kind, object_id, raw_hash).';
COMMENT ON COLUMN jet.quarantine.kind IS 'What the payload should have been: order, return, refund, settlement_report, settlement_line.';
COMMENT ON COLUMN jet.quarantine.object_id IS 'The id the payload was fetched by (e.g. the merchant_order_id from the order URL).';
COMMENT ON COLUMN jet.quarantine.raw_body IS 'The body exactly as received (may be invalid JSON).';
COMMENT ON COLUMN jet.quarantine.error IS 'Why it was rejected, naming the field.';
COMMENT ON COLUMN jet.quarantine.error_field IS 'Dotted path of the first offending field, when known.';

CREATE TABLE jet.customers (
    hash_email     text PRIMARY KEY,
    name           text,
    phone_number   text,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
COMMENT ON TABLE jet.customers IS 'Buyers as Jet identifies them: one row per anonymised buyer email (hash_email). Name and phone are the latest seen.';
COMMENT ON COLUMN jet.customers.hash_email IS 'Jet''s anonymised buyer address (...@customer.jet.com); the only stable buyer key Jet gives.';

CREATE TABLE jet.orders (
    merchant_order_id           text PRIMARY KEY,
    reference_order_id          text        NOT NULL,
    customer_reference_order_id text,
    alt_order_id                text,
    fulfillment_node            text        NOT NULL,
    hash_email                  text REFERENCES jet.customers,
    status                      text        NOT NULL,
    exception_state             text,
    order_placed_at             timestamptz NOT NULL,
    order_transmitted_at        timestamptz,
    ready_at                    timestamptz,
    acknowledged_at             timestamptz,
    acknowledgement_status      text,
    jet_request_directed_cancel boolean     NOT NULL DEFAULT false,
    has_shipments               boolean     NOT NULL DEFAULT false,
    request_shipping_carrier    text,
    request_shipping_method     text,
    request_service_level       text,
    request_ship_by             timestamptz,
    request_delivery_by         timestamptz,
    total_base_price            numeric(14, 2),
    total_item_tax              numeric(14, 2),
    total_shipping_cost         numeric(14, 2),
    total_shipping_tax          numeric(14, 2),
    total_item_fees             numeric(14, 2),
    total_regulatory_fees       numeric(14, 2),
    payload_hash                text        NOT NULL,
    first_seen_at               timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    last_batch_key              text        NOT NULL REFERENCES jet.ingest_batches
);
CREATE INDEX orders_status_idx ON jet.orders (status);
CREATE INDEX orders_placed_idx ON jet.orders (order_placed_at);
COMMENT ON TABLE jet.orders IS 'One row per Jet order (latest version landed). Key: merchant_order_id. Only orders Jet released (ready or later) are here; created orders are still in fraud check.';
COMMENT ON COLUMN jet.orders.merchant_order_id IS 'Jet''s order id (32 hex chars), used in every API call.';
COMMENT ON COLUMN jet.orders.reference_order_id IS 'Human-readable order number shown to the buyer; may repeat over years.';
COMMENT ON COLUMN jet.orders.alt_order_id IS 'Our id for the order, sent to Jet with the acknowledgement.';
COMMENT ON COLUMN jet.orders.status IS 'Jet status: ready, acknowledged, inprogress, complete.';
COMMENT ON COLUMN jet.orders.exception_state IS 'Jet exception state, e.g. exception - order rejected; NULL when none.';
COMMENT ON COLUMN jet.orders.ready_at IS 'When Jet released the order (order_ready_date); the 15-minute acknowledgement window starts here.';
COMMENT ON COLUMN jet.orders.jet_request_directed_cancel IS 'Jet asked us to cancel units (see order_items.request_order_cancel_qty).';
COMMENT ON COLUMN jet.orders.total_base_price IS 'order_totals.item_price.base_price as Jet sent it (USD); NULL when Jet omitted item_price.';
COMMENT ON COLUMN jet.orders.total_item_fees IS 'order_totals.item_fees: Jet''s commission estimate for the order (USD).';
COMMENT ON COLUMN jet.orders.payload_hash IS 'Version of the payload these columns come from (jet.order_payloads).';
COMMENT ON COLUMN jet.orders.updated_at IS 'Logical time of the run that landed the current version (UTC).';

CREATE TABLE jet.order_items (
    merchant_order_id          text     NOT NULL REFERENCES jet.orders ON DELETE CASCADE,
    order_item_id              text     NOT NULL,
    line_number                smallint NOT NULL,
    merchant_sku               text     NOT NULL,
    alt_order_item_id          text,
    product_title              text,
    quantity                   integer  NOT NULL CHECK (quantity >= 0),
    cancel_requested_qty       integer  NOT NULL DEFAULT 0 CHECK (cancel_requested_qty >= 0),
    unit_price                 numeric(14, 2),
    item_tax                   numeric(14, 2),
    item_shipping_cost         numeric(14, 2),
    item_shipping_tax          numeric(14, 2),
    item_fees                  numeric(14, 2),
    regulatory_fees            numeric(14, 2),
    price_adjustment           numeric(14, 2),
    fee_adjustments            jsonb    NOT NULL DEFAULT '[]',
    item_tax_code              text,
    acknowledgement_status     text,
    PRIMARY KEY (merchant_order_id, order_item_id)
);
CREATE INDEX order_items_sku_idx ON jet.order_items (merchant_sku);
COMMENT ON TABLE jet.order_items IS 'One row per order line (a SKU and its quantity). Key: (merchant_order_id, order_item_id). Amounts in USD as Jet sent them.';
COMMENT ON COLUMN jet.order_items.line_number IS 'Position of the line in Jet''s order_items array (1-based).';
COMMENT ON COLUMN jet.order_items.quantity IS 'request_order_quantity: units ordered.';
COMMENT ON COLUMN jet.order_items.cancel_requested_qty IS 'request_order_cancel_qty: units Jet asks us to cancel (directed cancel).';
COMMENT ON COLUMN jet.order_items.unit_price IS 'item_price.base_price: price per unit paid to the merchant (USD).';
COMMENT ON COLUMN jet.order_items.item_tax IS 'item_price.item_tax as Jet sent it (USD; see docs/warehouse.md for per-unit vs per-line).';
COMMENT ON COLUMN jet.order_items.item_fees IS 'Jet''s commission estimate for the line (USD).';
COMMENT ON COLUMN jet.order_items.fee_adjustments IS 'Jet''s fee_adjustments array for the line (base and variable commissions), as JSON.';
COMMENT ON COLUMN jet.order_items.acknowledgement_status IS 'order_item_acknowledgement_status echoed by Jet after acknowledgement.';

CREATE TABLE jet.shipping_addresses (
    merchant_order_id text PRIMARY KEY REFERENCES jet.orders ON DELETE CASCADE,
    recipient_name    text,
    recipient_phone   text,
    address1          text,
    address2          text,
    city              text,
    state             text,
    zip_code          text
);
COMMENT ON TABLE jet.shipping_addresses IS 'Where each order ships: one row per order (shipping_to). Key: merchant_order_id. address2 is NULL when Jet sent it empty or null.';

CREATE TABLE jet.order_shipments (
    merchant_order_id   text    NOT NULL REFERENCES jet.orders ON DELETE CASCADE,
    shipment_key        text    NOT NULL,
    merchant_sku        text    NOT NULL,
    shipment_id         text,
    alt_shipment_id     text,
    carrier             text,
    shipment_method     text,
    tracking_number     text,
    shipped_at          timestamptz,
    shipped_qty         integer NOT NULL DEFAULT 0,
    cancelled_qty       integer NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_order_id, shipment_key, merchant_sku)
);
COMMENT ON TABLE jet.order_shipments IS 'Shipments as Jet reports them on the order (shipments array), one row per shipment and SKU. Key: (merchant_order_id, shipment_key, merchant_sku). Includes cancellation-only shipments.';
COMMENT ON COLUMN jet.order_shipments.shipment_key IS 'Jet''s shipment_id, else our alt_shipment_id, else #<position>.';

CREATE TABLE jet.order_status_history (
    merchant_order_id text        NOT NULL REFERENCES jet.orders ON DELETE CASCADE,
    status            text        NOT NULL,
    exception_state   text        NOT NULL DEFAULT '',
    observed_at       timestamptz NOT NULL,
    batch_key         text        NOT NULL REFERENCES jet.ingest_batches,
    PRIMARY KEY (merchant_order_id, status, exception_state)
);
COMMENT ON TABLE jet.order_status_history IS 'Each (status, exception state) an order was first observed in, and when. Key: (merchant_order_id, status, exception_state). Jet''s lifecycle never returns to a status, so the key is unique.';
COMMENT ON COLUMN jet.order_status_history.observed_at IS 'Logical time of the run that first saw the order in this status (UTC); Jet''s own status times are on jet.orders.';

CREATE VIEW analytics.orders AS
SELECT o.merchant_order_id, o.reference_order_id, o.status, o.exception_state, o.fulfillment_node,
       o.order_placed_at, o.ready_at, o.acknowledged_at, o.request_ship_by,
       o.total_base_price, o.total_item_tax, o.total_shipping_cost, o.total_shipping_tax, o.total_item_fees,
       a.state AS ship_to_state, a.zip_code AS ship_to_zip
FROM jet.orders o
LEFT JOIN jet.shipping_addresses a USING (merchant_order_id);
COMMENT ON VIEW analytics.orders IS 'Orders for analysts: one row per Jet order with its status, key dates, Jet''s totals (USD) and ship-to region. Key: merchant_order_id.';

CREATE VIEW analytics.order_lines AS
SELECT i.merchant_order_id, i.order_item_id, i.merchant_sku, i.product_title, i.quantity, i.cancel_requested_qty,
       i.unit_price, i.unit_price * i.quantity AS line_price, i.item_tax, i.item_shipping_cost, i.item_fees,
       o.status, o.order_placed_at
FROM jet.order_items i
JOIN jet.orders o USING (merchant_order_id);
COMMENT ON VIEW analytics.order_lines IS 'Order lines for analysts: one row per (order, line) with unit and line price (USD) and the order''s status. Key: (merchant_order_id, order_item_id).';
