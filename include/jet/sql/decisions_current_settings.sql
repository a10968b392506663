SELECT version, auto_acknowledge, accept_regardless_of_inventory, partial_stock_policy, safety_stock
FROM jet.current_settings;
