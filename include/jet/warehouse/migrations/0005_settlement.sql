-- Settlements: Jet's settlement reports (raw and typed), their per-order detail lines
-- (the SettlementDetails CSV), and the reconciliation of the lines to the report.
--
-- Idempotency: rows are stamped with the logical time of the run that first landed
-- their current content and are rewritten only when the content changes, so re-running
-- a day or backfilling a range twice leaves every table the same (docs/architecture.md).
-- Money is numeric (USD, exact as Jet sent it); times are timestamptz (UTC).

-- ---------------------------------------------------------------- reports

CREATE TABLE jet.settlement_report_payloads (
    settlement_report_id text        NOT NULL,
    payload_hash         text        NOT NULL,
    payload              jsonb       NOT NULL,
    first_seen_at        timestamptz NOT NULL,
    last_seen_at         timestamptz NOT NULL,
    first_run_key        text        NOT NULL,
    last_run_key         text        NOT NULL,
    PRIMARY KEY (settlement_report_id, payload_hash)
);
COMMENT ON TABLE jet.settlement_report_payloads IS 'Raw landing: every distinct version of every settlement report Jet served (GET /settlement/report/{id}), as JSONB. Key: (settlement_report_id, payload_hash). A report changes as it moves from submitted to deposited.';
COMMENT ON COLUMN jet.settlement_report_payloads.payload_hash IS 'sha256 (hex) of the body exactly as Jet served it.';
COMMENT ON COLUMN jet.settlement_report_payloads.first_seen_at IS 'Logical time of the first run that saw this version (UTC).';
COMMENT ON COLUMN jet.settlement_report_payloads.last_seen_at IS 'Logical time of the latest run that saw this version (UTC); only moves forward.';
COMMENT ON COLUMN jet.settlement_report_payloads.first_run_key IS 'Run key (<dag_id>/<logical time>) of the first run that saw this version.';

CREATE TABLE jet.settlement_reports (
    settlement_report_id            text PRIMARY KEY,
    settlement_state                text,
    is_final                        boolean        NOT NULL,
    currency                        text,
    unavailable_balance             numeric(14, 2),
    period_start                    timestamptz    NOT NULL,
    period_end                      timestamptz    NOT NULL,
    settlement_date                 date           NOT NULL,
    order_merchant_price            numeric(14, 2),
    order_jet_variable_commission   numeric(14, 2),
    order_fixed_commission          numeric(14, 2),
    order_tax                       numeric(14, 2),
    order_shipping_revenue          numeric(14, 2),
    order_shipping_tax              numeric(14, 2),
    order_shipping_charge           numeric(14, 2),
    order_fulfillment_fee           numeric(14, 2),
    order_product_cost              numeric(14, 2),
    order_balance                   numeric(14, 2) NOT NULL,
    return_merchant_price           numeric(14, 2),
    return_jet_variable_commission  numeric(14, 2),
    return_fixed_commission         numeric(14, 2),
    return_tax                      numeric(14, 2),
    return_shipping_tax             numeric(14, 2),
    return_merchant_return_charge   numeric(14, 2),
    return_return_processing_fee    numeric(14, 2),
    return_product_cost             numeric(14, 2),
    return_balance                  numeric(14, 2) NOT NULL,
    jet_adjustment                  numeric(14, 2) NOT NULL,
    settlement_value                numeric(14, 2) NOT NULL,
    order_details_sum numeric(14, 2) GENERATED ALWAYS AS (
        coalesce(order_merchant_price, 0) + coalesce(order_jet_variable_commission, 0)
        + coalesce(order_fixed_commission, 0) + coalesce(order_tax, 0) + coalesce(order_shipping_revenue, 0)
        + coalesce(order_shipping_tax, 0) + coalesce(order_shipping_charge, 0)
        + coalesce(order_fulfillment_fee, 0) + coalesce(order_product_cost, 0)) STORED,
    return_details_sum numeric(14, 2) GENERATED ALWAYS AS (
        coalesce(return_merchant_price, 0) + coalesce(return_jet_variable_commission, 0)
        + coalesce(return_fixed_commission, 0) + coalesce(return_tax, 0) + coalesce(return_shipping_tax, 0)
        + coalesce(return_merchant_return_charge, 0) + coalesce(return_return_processing_fee, 0)
        + coalesce(return_product_cost, 0)) STORED,
    balances_ok boolean GENERATED ALWAYS AS (
        order_balance = coalesce(order_merchant_price, 0) + coalesce(order_jet_variable_commission, 0)
            + coalesce(order_fixed_commission, 0) + coalesce(order_tax, 0) + coalesce(order_shipping_revenue, 0)
            + coalesce(order_shipping_tax, 0) + coalesce(order_shipping_charge, 0)
            + coalesce(order_fulfillment_fee, 0) + coalesce(order_product_cost, 0)
        AND return_balance = coalesce(return_merchant_price, 0) + coalesce(return_jet_variable_commission, 0)
            + coalesce(return_fixed_commission, 0) + coalesce(return_tax, 0) + coalesce(return_shipping_tax, 0)
            + coalesce(return_merchant_return_charge, 0) + coalesce(return_return_processing_fee, 0)
            + coalesce(return_product_cost, 0)
        AND settlement_value = order_balance + return_balance + jet_adjustment) STORED,
    payload_hash                    text           NOT NULL,
    first_seen_at                   timestamptz    NOT NULL,
    updated_at                      timestamptz    NOT NULL,
    run_key                         text           NOT NULL
);
CREATE INDEX settlement_reports_period_idx ON jet.settlement_reports (period_end);
COMMENT ON TABLE jet.settlement_reports IS 'One row per Jet settlement report (latest version landed), typed: balances and their details by category (USD, signed as they move the merchant''s balance: commissions negative on the order side). Key: settlement_report_id. balances_ok checks Jet''s own sum rules.';
COMMENT ON COLUMN jet.settlement_reports.settlement_state IS 'Jet''s state as sent: submitted (sent to the bank) or deposited (paid); AERO also knew Paid and Rejected.';
COMMENT ON COLUMN jet.settlement_reports.is_final IS 'True once the state is deposited/paid: the report will not change, and the daily lookback stops re-reading it.';
COMMENT ON COLUMN jet.settlement_reports.unavailable_balance IS 'Jet''s estimate of sales not yet settled (not part of any balance).';
COMMENT ON COLUMN jet.settlement_reports.period_start IS 'settlement_period_start (UTC).';
COMMENT ON COLUMN jet.settlement_reports.period_end IS 'settlement_period_end (UTC; Jet writes 23:59:59.9999999, kept to the microsecond).';
COMMENT ON COLUMN jet.settlement_reports.settlement_date IS 'UTC date of period_start: the business day the report settles.';
COMMENT ON COLUMN jet.settlement_reports.order_merchant_price IS 'order_balance_details.merchant_price: product revenue of units shipped.';
COMMENT ON COLUMN jet.settlement_reports.order_jet_variable_commission IS 'order_balance_details.jet_variable_commission (negative): category commission.';
COMMENT ON COLUMN jet.settlement_reports.order_fixed_commission IS 'order_balance_details.fixed_commission (negative): base commission.';
COMMENT ON COLUMN jet.settlement_reports.order_shipping_charge IS 'order_balance_details.shipping_charge: Distributed-by-Jet items only.';
COMMENT ON COLUMN jet.settlement_reports.order_fulfillment_fee IS 'order_balance_details.fulfillment_fee: Distributed-by-Jet items only.';
COMMENT ON COLUMN jet.settlement_reports.order_balance IS 'order_balance as Jet sent it (should equal order_details_sum).';
COMMENT ON COLUMN jet.settlement_reports.return_merchant_price IS 'return_balance_details.merchant_price (negative): principal refunded, refunded shipping included (Jet has no return shipping category).';
COMMENT ON COLUMN jet.settlement_reports.return_merchant_return_charge IS 'return_balance_details.merchant_return_charge: return charges the merchant agreed to.';
COMMENT ON COLUMN jet.settlement_reports.return_return_processing_fee IS 'return_balance_details.return_processing_fee: items returned to a Jet fulfillment centre.';
COMMENT ON COLUMN jet.settlement_reports.return_balance IS 'return_balance as Jet sent it (should equal return_details_sum).';
COMMENT ON COLUMN jet.settlement_reports.jet_adjustment IS 'Jet''s credit to (positive) or fee from (negative) the merchant, not tied to an order.';
COMMENT ON COLUMN jet.settlement_reports.settlement_value IS 'Amount deposited: order_balance + return_balance + jet_adjustment.';
COMMENT ON COLUMN jet.settlement_reports.order_details_sum IS 'Sum of the order_* detail columns (generated).';
COMMENT ON COLUMN jet.settlement_reports.return_details_sum IS 'Sum of the return_* detail columns (generated).';
COMMENT ON COLUMN jet.settlement_reports.balances_ok IS 'Jet''s three sum rules hold to the cent: order_balance = Σ order details, return_balance = Σ return details, settlement_value = order + return + adjustment (generated).';
COMMENT ON COLUMN jet.settlement_reports.payload_hash IS 'Version these columns come from (jet.settlement_report_payloads).';
COMMENT ON COLUMN jet.settlement_reports.first_seen_at IS 'Logical time of the first run that landed the report (UTC).';
COMMENT ON COLUMN jet.settlement_reports.updated_at IS 'Logical time of the run that landed the current version (UTC).';
COMMENT ON COLUMN jet.settlement_reports.run_key IS 'Run that landed the current version.';

-- ---------------------------------------------------------------- detail files and lines

CREATE TABLE jet.settlement_detail_files (
    settlement_report_id text        NOT NULL,
    file_hash            text        NOT NULL,
    body                 text        NOT NULL,
    data_rows            integer     NOT NULL CHECK (data_rows >= 0),
    bad_rows             integer     NOT NULL CHECK (bad_rows >= 0),
    bulk_report_id       text,
    first_seen_at        timestamptz NOT NULL,
    last_seen_at         timestamptz NOT NULL,
    first_run_key        text        NOT NULL,
    last_run_key         text        NOT NULL,
    PRIMARY KEY (settlement_report_id, file_hash)
);
COMMENT ON TABLE jet.settlement_detail_files IS 'Raw landing of the SettlementDetails CSV: every distinct file downloaded for a settlement, verbatim. Key: (settlement_report_id, file_hash). Its rows are in jet.settlement_lines (valid) and jet.quarantine kind settlement_line (invalid).';
COMMENT ON COLUMN jet.settlement_detail_files.file_hash IS 'sha256 (hex) of the file exactly as downloaded.';
COMMENT ON COLUMN jet.settlement_detail_files.data_rows IS 'Rows after the header.';
COMMENT ON COLUMN jet.settlement_detail_files.bad_rows IS 'Rows that failed validation and went to jet.quarantine.';
COMMENT ON COLUMN jet.settlement_detail_files.bulk_report_id IS 'Jet bulk report id (POST /reports/SettlementDetails) of the first download of this file.';

CREATE TABLE jet.settlement_lines (
    settlement_report_id             text        NOT NULL,
    line_no                          integer     NOT NULL,
    transaction_type                 text        NOT NULL
        CHECK (transaction_type IN ('order', 'return', 'adjustment', 'unallocated')),
    balance                          text        NOT NULL CHECK (balance IN ('order', 'return', 'adjustment')),
    transaction_date                 timestamptz,
    merchant_order_id                text,
    reference_order_id               text,
    order_item_id                    text,
    merchant_return_authorization_id text,
    refund_authorization_id          text,
    merchant_sku                     text,
    quantity                         integer     NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    merchant_price                   numeric(14, 2) NOT NULL DEFAULT 0,
    jet_variable_commission          numeric(14, 2) NOT NULL DEFAULT 0,
    fixed_commission                 numeric(14, 2) NOT NULL DEFAULT 0,
    tax                              numeric(14, 2) NOT NULL DEFAULT 0,
    shipping_revenue                 numeric(14, 2) NOT NULL DEFAULT 0,
    shipping_tax                     numeric(14, 2) NOT NULL DEFAULT 0,
    shipping_charge                  numeric(14, 2) NOT NULL DEFAULT 0,
    fulfillment_fee                  numeric(14, 2) NOT NULL DEFAULT 0,
    product_cost                     numeric(14, 2) NOT NULL DEFAULT 0,
    merchant_return_charge           numeric(14, 2) NOT NULL DEFAULT 0,
    return_processing_fee            numeric(14, 2) NOT NULL DEFAULT 0,
    jet_adjustment                   numeric(14, 2) NOT NULL DEFAULT 0,
    line_total numeric(14, 2) GENERATED ALWAYS AS (
        merchant_price + jet_variable_commission + fixed_commission + tax + shipping_revenue + shipping_tax
        + shipping_charge + fulfillment_fee + product_cost + merchant_return_charge + return_processing_fee
        + jet_adjustment) STORED,
    description                      text,
    row_hash                         text        NOT NULL,
    file_hash                        text,
    landed_at                        timestamptz NOT NULL,
    run_key                          text        NOT NULL,
    PRIMARY KEY (settlement_report_id, line_no),
    CHECK ((transaction_type = 'unallocated') = (line_no < 0)),
    CHECK (transaction_type = 'unallocated' OR transaction_type = balance)
);
CREATE INDEX settlement_lines_order_idx ON jet.settlement_lines (merchant_order_id);
COMMENT ON TABLE jet.settlement_lines IS 'Per-order settlement detail: one row per SettlementDetails CSV row that passed validation (order line shipped, return or refund line, Jet adjustment), plus one unallocated row per (settlement, balance) that does not tie out. Key: (settlement_report_id, line_no). Amounts in USD, signed as they move the merchant''s balance. For every settlement and column, Σ lines (unallocated included) = the report''s detail for that balance, to the cent.';
COMMENT ON COLUMN jet.settlement_lines.line_no IS 'Row number in the CSV (1 = first row after the header); -1, -2, -3 for the unallocated rows of the order, return and adjustment balances.';
COMMENT ON COLUMN jet.settlement_lines.transaction_type IS 'order (units shipped of one order line), return (a return or merchant refund line), adjustment (Jet credit or fee, no order), unallocated (difference between the report and its lines, written by the reconciliation: look into it).';
COMMENT ON COLUMN jet.settlement_lines.balance IS 'Which report balance the row counts toward: order, return or adjustment (= transaction_type except for unallocated rows).';
COMMENT ON COLUMN jet.settlement_lines.transaction_date IS 'Latest event of the row within the settlement day (UTC); NULL for unallocated rows.';
COMMENT ON COLUMN jet.settlement_lines.merchant_order_id IS 'Order the row settles; NULL for adjustments and unallocated rows.';
COMMENT ON COLUMN jet.settlement_lines.quantity IS 'Units shipped (order rows) or refunded (return rows); 0 otherwise.';
COMMENT ON COLUMN jet.settlement_lines.merchant_price IS 'Product revenue (order rows, positive) or principal + shipping refunded (return rows, negative).';
COMMENT ON COLUMN jet.settlement_lines.jet_variable_commission IS 'Category commission: negative when charged, positive when refunded.';
COMMENT ON COLUMN jet.settlement_lines.fixed_commission IS 'Base commission: negative when charged, positive when refunded.';
COMMENT ON COLUMN jet.settlement_lines.tax IS 'Sales tax on the product collected (positive) or refunded (negative); the merchant remits it.';
COMMENT ON COLUMN jet.settlement_lines.merchant_return_charge IS 'Return charge paid by the merchant (negative).';
COMMENT ON COLUMN jet.settlement_lines.jet_adjustment IS 'Jet adjustment amount (adjustment rows).';
COMMENT ON COLUMN jet.settlement_lines.line_total IS 'Sum of every amount column: what the row adds to the settlement value (generated).';
COMMENT ON COLUMN jet.settlement_lines.row_hash IS 'md5 of the CSV row as read (or of the unallocated amounts): a row is rewritten only when it changes.';
COMMENT ON COLUMN jet.settlement_lines.file_hash IS 'The detail file (jet.settlement_detail_files) the row was read from; NULL for unallocated rows.';
COMMENT ON COLUMN jet.settlement_lines.landed_at IS 'Logical time of the run that wrote the current content of the row (UTC).';

-- ---------------------------------------------------------------- reconciliation

CREATE TABLE jet.settlement_reconciliation (
    settlement_report_id text           NOT NULL,
    balance              text           NOT NULL CHECK (balance IN ('order', 'return', 'adjustment')),
    category             text           NOT NULL,
    is_report_category   boolean        NOT NULL,
    expected             numeric(14, 2) NOT NULL,
    detail_sum           numeric(14, 2) NOT NULL,
    difference           numeric(14, 2) GENERATED ALWAYS AS (expected - detail_sum) STORED,
    checked_at           timestamptz    NOT NULL,
    run_key              text           NOT NULL,
    PRIMARY KEY (settlement_report_id, balance, category)
);
COMMENT ON TABLE jet.settlement_reconciliation IS 'Tie-out of each settlement''s detail lines to its report: one row per (settlement, balance, amount column). Key: (settlement_report_id, balance, category). difference <> 0 means the CSV rows do not add up to the report; the difference is booked as that balance''s unallocated line in jet.settlement_lines.';
COMMENT ON COLUMN jet.settlement_reconciliation.balance IS 'order (order_balance_details), return (return_balance_details) or adjustment (jet_adjustment).';
COMMENT ON COLUMN jet.settlement_reconciliation.category IS 'Amount column of the CSV (merchant_price, jet_variable_commission, ...).';
COMMENT ON COLUMN jet.settlement_reconciliation.is_report_category IS 'True when the report has this category for this balance; otherwise expected is 0 and any amount there is unexplained.';
COMMENT ON COLUMN jet.settlement_reconciliation.expected IS 'The report''s figure for the category (0 when the report has no such category).';
COMMENT ON COLUMN jet.settlement_reconciliation.detail_sum IS 'Σ of the category over the settlement''s CSV rows of that balance (unallocated rows excluded).';
COMMENT ON COLUMN jet.settlement_reconciliation.difference IS 'expected - detail_sum: the unallocated amount (generated).';
COMMENT ON COLUMN jet.settlement_reconciliation.checked_at IS 'Logical time of the run that computed the current figures (UTC); unchanged by re-runs that find the same.';

CREATE VIEW analytics.settlements AS
SELECT r.settlement_report_id, r.settlement_date, r.period_start, r.period_end, r.settlement_state, r.is_final,
       r.order_balance, r.return_balance, r.jet_adjustment, r.settlement_value, r.unavailable_balance,
       r.order_merchant_price, r.order_jet_variable_commission, r.order_fixed_commission, r.order_tax,
       r.order_shipping_revenue, r.order_shipping_tax, r.return_merchant_price, r.return_jet_variable_commission,
       r.return_fixed_commission, r.return_tax, r.return_shipping_tax, r.return_merchant_return_charge,
       r.balances_ok
FROM jet.settlement_reports r;
COMMENT ON VIEW analytics.settlements IS 'Settlement reports for analysts: one row per Jet settlement (a business day), balances and their main categories in USD. Key: settlement_report_id.';

CREATE VIEW analytics.settlement_lines AS
SELECT l.settlement_report_id, r.settlement_date, l.line_no, l.transaction_type, l.balance, l.transaction_date,
       l.merchant_order_id, l.reference_order_id, l.order_item_id, l.merchant_return_authorization_id,
       l.refund_authorization_id, l.merchant_sku, l.quantity, l.merchant_price, l.jet_variable_commission,
       l.fixed_commission, l.tax, l.shipping_revenue, l.shipping_tax, l.shipping_charge, l.fulfillment_fee,
       l.product_cost, l.merchant_return_charge, l.return_processing_fee, l.jet_adjustment, l.line_total,
       l.description
FROM jet.settlement_lines l
JOIN jet.settlement_reports r USING (settlement_report_id);
COMMENT ON VIEW analytics.settlement_lines IS 'Settlement detail lines for analysts: one row per CSV row (order, return, adjustment) or unallocated difference, with the settlement day. Key: (settlement_report_id, line_no). USD, signed as they move the merchant''s balance.';

CREATE VIEW analytics.settlement_reconciliation AS
WITH files AS (
    -- The newest detail file of each settlement is the one its lines come from.
    SELECT DISTINCT ON (settlement_report_id) settlement_report_id, bad_rows AS quarantined_lines
    FROM jet.settlement_detail_files
    ORDER BY settlement_report_id, last_seen_at DESC, first_seen_at DESC
),
lines AS (
    SELECT settlement_report_id,
           count(*) FILTER (WHERE transaction_type <> 'unallocated') AS csv_lines,
           coalesce(sum(line_total) FILTER (WHERE transaction_type <> 'unallocated'), 0) AS csv_total,
           coalesce(sum(line_total) FILTER (WHERE transaction_type = 'unallocated'), 0) AS unallocated_total,
           count(DISTINCT merchant_order_id) AS orders,
           count(DISTINCT merchant_order_id) FILTER (
               WHERE merchant_order_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = l.merchant_order_id)
           ) AS orders_missing
    FROM jet.settlement_lines l GROUP BY 1
),
diffs AS (
    SELECT settlement_report_id,
           count(*) FILTER (WHERE difference <> 0) AS categories_off,
           coalesce(sum(abs(difference)), 0) AS abs_difference
    FROM jet.settlement_reconciliation GROUP BY 1
)
SELECT r.settlement_report_id, r.settlement_date, r.settlement_state, r.is_final, r.settlement_value,
       r.balances_ok,
       coalesce(l.csv_lines, 0) AS csv_lines,
       coalesce(f.quarantined_lines, 0) AS quarantined_lines,
       coalesce(l.csv_total, 0) AS csv_total,
       coalesce(l.unallocated_total, 0) AS unallocated_total,
       coalesce(d.categories_off, 0) AS categories_off,
       coalesce(d.abs_difference, 0) AS abs_difference,
       coalesce(l.orders, 0) AS orders,
       coalesce(l.orders_missing, 0) AS orders_missing,
       CASE
           WHEN f.settlement_report_id IS NULL OR d.settlement_report_id IS NULL THEN 'awaiting_details'
           WHEN NOT r.balances_ok THEN 'report_inconsistent'
           WHEN d.categories_off > 0 THEN 'unallocated'
           ELSE 'reconciled'
       END AS status
FROM jet.settlement_reports r
LEFT JOIN files f USING (settlement_report_id)
LEFT JOIN lines l USING (settlement_report_id)
LEFT JOIN diffs d USING (settlement_report_id);
COMMENT ON VIEW analytics.settlement_reconciliation IS 'Reconciliation status per settlement: reconciled (every category of every balance ties out to the cent), unallocated (a difference was booked as an unallocated line: see jet.settlement_reconciliation), report_inconsistent (Jet''s own sum rules fail), awaiting_details (CSV not landed yet). With line counts, rows of the newest detail file that were quarantined (jet.quarantine kind settlement_line, object_id <settlement>#<row>), and orders the warehouse lacks. Key: settlement_report_id.';

CREATE VIEW analytics.settlement_orders_missing AS
SELECT l.merchant_order_id, min(l.settlement_report_id) AS first_settlement_report_id,
       count(*) AS lines, sum(l.line_total) AS amount
FROM jet.settlement_lines l
WHERE l.merchant_order_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM jet.orders o WHERE o.merchant_order_id = l.merchant_order_id)
GROUP BY l.merchant_order_id;
COMMENT ON VIEW analytics.settlement_orders_missing IS 'Orders named by settlement lines that the warehouse does not have (jet_settlement imports them through the order import path; rows here after a run mean Jet could not serve them). Key: merchant_order_id.';
