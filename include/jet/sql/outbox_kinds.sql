-- The kinds the warehouse knows (seeded by migrations 0040 and 0060), to check against the registry.
SELECT kind, method, path, subject, acknowledgement, ordered, description, answer, cancels_units, started_by, rule_in
FROM jet.action_kinds ORDER BY kind;
