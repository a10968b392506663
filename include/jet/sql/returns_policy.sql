SELECT version, auto_complete, auto_accept_reasons, auto_max_refund, agree_to_return_charge, complete_within_hours
FROM jet.current_return_policy;
