-- The catalog sync's toggles in force.
SELECT version, push_stock, push_prices, follow_archive FROM jet.current_settings;
