-- Held orders asked in Airflow's inbox (Required Actions) by the jet_held_orders DAG:
-- one question per order, ever, and how it ended. The decision itself stays in the
-- outbox (one acknowledgement call per order, migration 0003); this table only says
-- where the question is and who answered it.

CREATE TABLE jet.held_order_prompts (
    merchant_order_id text PRIMARY KEY REFERENCES jet.orders,
    dag_id            text        NOT NULL,
    dag_run_id        text        NOT NULL,
    task_id           text        NOT NULL,
    map_index         integer     NOT NULL CHECK (map_index >= 0),
    asked_at          timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    answer            text CHECK (answer IN ('approve', 'cancel')),
    reason            text,
    answered_by       text,
    answered_in       text CHECK (answered_in IN ('inbox', 'elsewhere', 'expired')),
    answered_at       timestamptz,
    outcome           text,
    UNIQUE (dag_run_id, task_id, map_index),
    CHECK ((answered_in IS NULL) = (answered_at IS NULL))
);
COMMENT ON TABLE jet.held_order_prompts IS 'Held orders asked in Airflow''s inbox (Required Actions) by the jet_held_orders DAG: one row per order, ever (an order is asked once). Key: merchant_order_id. Open = not answered and not expired; jet_held_orders keeps at most a fixed number open.';
COMMENT ON COLUMN jet.held_order_prompts.dag_run_id IS 'The jet_held_orders run whose mapped task asks it (with task_id and map_index: the Required Actions entry).';
COMMENT ON COLUMN jet.held_order_prompts.asked_at IS 'Logical time of the asking run (UTC).';
COMMENT ON COLUMN jet.held_order_prompts.expires_at IS 'The order''s acknowledgement deadline (ready_at + 15 minutes): the question times out then.';
COMMENT ON COLUMN jet.held_order_prompts.answer IS 'What decided the order: approve or cancel; NULL while open or when it expired.';
COMMENT ON COLUMN jet.held_order_prompts.reason IS 'The cancel reason (jet.api.vocabulary.CANCEL_REASONS key) when the answer is cancel.';
COMMENT ON COLUMN jet.held_order_prompts.answered_by IS 'Who answered: the inbox user, or the user/run that decided the order elsewhere (the console, a manual DAG).';
COMMENT ON COLUMN jet.held_order_prompts.answered_in IS 'inbox (answered in Required Actions and applied from there), elsewhere (decided by jet_approve_order / jet_cancel_order first; the inbox entry was closed with that answer), expired (no answer before the deadline).';
COMMENT ON COLUMN jet.held_order_prompts.answered_at IS 'Wall-clock time the answer was recorded here (UTC).';
COMMENT ON COLUMN jet.held_order_prompts.outcome IS 'What the answer did, in words (the action and its state, or why nothing was sent).';
