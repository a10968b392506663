SELECT outcome, count(*) FROM jet.decisions WHERE dry_run = %(dry_run)s GROUP BY outcome ORDER BY outcome;
