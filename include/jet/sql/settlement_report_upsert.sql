-- Typed settlement report: rewritten only when Jet served a different version, and never
-- by a run older than the one that wrote the current version.
INSERT INTO jet.settlement_reports AS t (
    settlement_report_id, settlement_state, is_final, currency, unavailable_balance,
    period_start, period_end, settlement_date,
    order_merchant_price, order_jet_variable_commission, order_fixed_commission, order_tax,
    order_shipping_revenue, order_shipping_tax, order_shipping_charge, order_fulfillment_fee,
    order_product_cost, order_balance,
    return_merchant_price, return_jet_variable_commission, return_fixed_commission, return_tax,
    return_shipping_tax, return_merchant_return_charge, return_return_processing_fee, return_product_cost,
    return_balance, jet_adjustment, settlement_value,
    payload_hash, first_seen_at, updated_at, run_key
) VALUES (
    %(settlement_report_id)s, %(settlement_state)s, %(is_final)s, %(currency)s, %(unavailable_balance)s,
    %(period_start)s, %(period_end)s, (%(period_start)s::timestamptz AT TIME ZONE 'UTC')::date,
    %(order_merchant_price)s, %(order_jet_variable_commission)s, %(order_fixed_commission)s, %(order_tax)s,
    %(order_shipping_revenue)s, %(order_shipping_tax)s, %(order_shipping_charge)s, %(order_fulfillment_fee)s,
    %(order_product_cost)s, %(order_balance)s,
    %(return_merchant_price)s, %(return_jet_variable_commission)s, %(return_fixed_commission)s, %(return_tax)s,
    %(return_shipping_tax)s, %(return_merchant_return_charge)s, %(return_return_processing_fee)s,
    %(return_product_cost)s, %(return_balance)s, %(jet_adjustment)s, %(settlement_value)s,
    %(payload_hash)s, %(observed_at)s, %(observed_at)s, %(run_key)s
)
ON CONFLICT (settlement_report_id) DO UPDATE SET
    settlement_state = EXCLUDED.settlement_state,
    is_final = EXCLUDED.is_final,
    currency = EXCLUDED.currency,
    unavailable_balance = EXCLUDED.unavailable_balance,
    period_start = EXCLUDED.period_start,
    period_end = EXCLUDED.period_end,
    settlement_date = EXCLUDED.settlement_date,
    order_merchant_price = EXCLUDED.order_merchant_price,
    order_jet_variable_commission = EXCLUDED.order_jet_variable_commission,
    order_fixed_commission = EXCLUDED.order_fixed_commission,
    order_tax = EXCLUDED.order_tax,
    order_shipping_revenue = EXCLUDED.order_shipping_revenue,
    order_shipping_tax = EXCLUDED.order_shipping_tax,
    order_shipping_charge = EXCLUDED.order_shipping_charge,
    order_fulfillment_fee = EXCLUDED.order_fulfillment_fee,
    order_product_cost = EXCLUDED.order_product_cost,
    order_balance = EXCLUDED.order_balance,
    return_merchant_price = EXCLUDED.return_merchant_price,
    return_jet_variable_commission = EXCLUDED.return_jet_variable_commission,
    return_fixed_commission = EXCLUDED.return_fixed_commission,
    return_tax = EXCLUDED.return_tax,
    return_shipping_tax = EXCLUDED.return_shipping_tax,
    return_merchant_return_charge = EXCLUDED.return_merchant_return_charge,
    return_return_processing_fee = EXCLUDED.return_return_processing_fee,
    return_product_cost = EXCLUDED.return_product_cost,
    return_balance = EXCLUDED.return_balance,
    jet_adjustment = EXCLUDED.jet_adjustment,
    settlement_value = EXCLUDED.settlement_value,
    payload_hash = EXCLUDED.payload_hash,
    first_seen_at = least(t.first_seen_at, EXCLUDED.first_seen_at),
    updated_at = EXCLUDED.updated_at,
    run_key = EXCLUDED.run_key
 WHERE t.payload_hash IS DISTINCT FROM EXCLUDED.payload_hash
   AND t.updated_at <= EXCLUDED.updated_at;
