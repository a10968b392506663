SELECT coalesce(refund_status, 'not posted'), count(*)::integer FROM jet.refunds GROUP BY 1 ORDER BY 1;
