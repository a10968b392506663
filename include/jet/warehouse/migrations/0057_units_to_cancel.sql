-- decision_lines.units_to_cancel is a promise the fulfilment keeps: jet_fulfillment
-- records the cancel-only shipment (request key units_to_cancel/<decision id>) once Jet
-- has the acknowledgement, and sends it (jet.fulfillment.shipments.propose_partial_cancels).
COMMENT ON COLUMN jet.decision_lines.units_to_cancel IS 'Units of an accepted line the stock could not supply (partial_stock_policy accept_available): jet_fulfillment cancels them with a cancel-only shipment (request_key units_to_cancel/<decision_id>) as soon as Jet shows the order acknowledged, never more than are still open.';
