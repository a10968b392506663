-- One decision. A dry run re-run of the same run finds its row and adds nothing; a real
-- decision that already exists is an error (the caller only decides undecided orders).
INSERT INTO jet.decisions (merchant_order_id, run_key, dag_run_id, decided_at, dry_run, outcome, reasons,
                           rules_version, settings_version, inputs)
VALUES (%(merchant_order_id)s, %(run_key)s, %(dag_run_id)s, %(decided_at)s, %(dry_run)s, %(outcome)s, %(reasons)s,
        %(rules_version)s, %(settings_version)s, %(inputs)s)
ON CONFLICT (merchant_order_id, run_key) DO NOTHING
RETURNING decision_id;
