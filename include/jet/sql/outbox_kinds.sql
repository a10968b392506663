-- The kinds the warehouse knows (seeded by migration 0040), to check against the registry.
SELECT kind, method, path, subject, acknowledgement, ordered, description FROM jet.action_kinds ORDER BY kind;
