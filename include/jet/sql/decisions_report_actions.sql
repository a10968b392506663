SELECT kind, state, count(*) FROM jet.actions GROUP BY 1, 2 ORDER BY 1, 2;
