-- Column comments for the decision tables and views of 0003 that it left implicit.
COMMENT ON COLUMN jet.settings.version IS 'Settings version: 1, 2, ...; the highest is in force.';
COMMENT ON COLUMN jet.settings.note IS 'Why the settings changed (free text).';
COMMENT ON COLUMN jet.decisions.dag_run_id IS 'Airflow run id of the deciding run (NULL when decided outside Airflow).';
COMMENT ON COLUMN jet.decision_lines.order_item_id IS 'Jet''s order line id (jet.order_items.order_item_id).';
COMMENT ON COLUMN jet.decision_lines.merchant_sku IS 'The line''s merchant SKU.';
COMMENT ON COLUMN jet.actions.updated_at IS 'Wall-clock time of the last state change (UTC).';
COMMENT ON COLUMN jet.action_attempts.attempt IS 'Attempt number of the action (1 = first send).';
COMMENT ON COLUMN jet.action_attempts.sent_at IS 'Wall-clock time the outcome of this send was recorded (UTC).';
COMMENT ON COLUMN jet.action_attempts.outcome IS 'What the send itself established: applied (2xx), not_applied (4xx), unknown (timeout, dropped connection, 5xx).';
COMMENT ON COLUMN jet.action_attempts.error IS 'The error Jet or the transport gave, verbatim.';
COMMENT ON COLUMN jet.promised_units.sku IS 'Merchant SKU.';
COMMENT ON COLUMN jet.promised_units.fulfillment_node IS 'Jet fulfillment node id.';
COMMENT ON COLUMN jet.orders_at_risk.deadline IS 'ready_at + 15 minutes: Jet gives an unacknowledged order away after it.';
COMMENT ON COLUMN jet.orders_at_risk.minutes_left IS 'Minutes until the deadline, as of now (negative = overdue).';
COMMENT ON COLUMN jet.orders_at_risk.state IS 'undecided (no decision yet), held (waits for jet_approve_order), not_acknowledged (decided, acknowledgement not applied: pending, refused or failed).';
COMMENT ON COLUMN analytics.order_decisions.action_kind IS 'The write the decision asked for: acknowledge, reject or cancel; NULL for held and dry-run decisions.';
COMMENT ON COLUMN analytics.order_decisions.action_state IS 'Outbox state of that write (applied = Jet has it).';
COMMENT ON COLUMN analytics.order_decisions.acknowledged_at IS 'When Jet recorded the acknowledgement call (accepted or rejected), as last landed.';
