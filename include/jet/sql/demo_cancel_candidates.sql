-- What a buyer (through Jet's directed cancel) or the simulated operator may still cancel
-- before the warehouse ships it: orders Jet shows acknowledged (accepted), acknowledged
-- after %(acknowledged_after)s, that nobody has started to ship or cancel (no shipment
-- request, no cancel asked by Jet or sent to it, no units a partial accept left to cancel).
SELECT o.merchant_order_id
FROM jet.orders o
WHERE o.status = %(vocab_order_acknowledged)s
  AND o.acknowledgement_status = %(vocab_ack_accepted)s
  AND o.acknowledged_at > %(acknowledged_after)s
  AND NOT o.jet_request_directed_cancel
  AND NOT EXISTS (SELECT 1 FROM jet.shipment_requests r WHERE r.merchant_order_id = o.merchant_order_id)
  AND NOT EXISTS (SELECT 1 FROM jet.actions a
                  JOIN jet.action_kinds k ON k.kind = a.call AND k.cancels_units AND k.started_by IS NOT NULL
                  WHERE a.merchant_order_id = o.merchant_order_id)
  AND NOT EXISTS (SELECT 1 FROM jet.decisions d JOIN jet.decision_lines l USING (decision_id)
                  WHERE d.merchant_order_id = o.merchant_order_id AND l.units_to_cancel > 0)
ORDER BY o.acknowledged_at, o.merchant_order_id;
