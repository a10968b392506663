-- Shipment requests by status (the stage's counts).
SELECT status, count(*)::integer FROM jet.shipment_request_status GROUP BY 1 ORDER BY 1;
