UPDATE jet.shipment_requests SET problem = %(problem)s, problem_at = %(problem_at)s
WHERE shipment_request_id = %(shipment_request_id)s AND problem IS NULL;
