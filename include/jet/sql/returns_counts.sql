SELECT return_status, count(*)::integer FROM jet.returns GROUP BY 1 ORDER BY 1;
