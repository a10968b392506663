-- One progress line after a settlement run: reports landed, reconciled to the cent, their
-- lines, and orders with an actual (settled) P&L.
SELECT (SELECT count(*) FROM analytics.settlement_reconciliation)::integer AS settlements,
       (SELECT count(*) FROM analytics.settlement_reconciliation WHERE status = 'reconciled')::integer AS reconciled,
       (SELECT count(*) FROM jet.settlement_lines)::integer AS lines,
       (SELECT count(*) FROM analytics.order_pnl WHERE settled)::integer AS orders_settled;
