-- One outbox (jet.outbox): the action kinds become data, and what the kind strings used
-- to encode becomes columns, so SQL filters on columns and no list of kinds is written
-- twice.
--
-- * jet.action_kinds: one row per kind of write to Jet, seeded here from the registry in
--   jet.outbox.kinds (a test checks that both agree). Its flags are what SQL needs:
--   acknowledgement (the one acknowledgement call an order gets, ever) and ordered
--   (the actions of one merchant order are sent one after the other, oldest first).
-- * jet.actions gains last_answer_at (when the client stopped waiting for the last send:
--   the quiet period before "not applied" starts there), call (the kind) and subject (what it acts on: a shipment request,
--   a return, a refund id; NULL when it is the order itself), backfilled from kind,
--   which stays as their readable join (a check keeps them equal); dedupe_key (the
--   idempotency key of queue(): a second queue() with the same key is a no-op);
--   triggering_user (the Airflow user the action was queued for); not_before (Jet
--   answered 429: do not send before Retry-After); rate_limited (how many 429s, which
--   are not attempts); requeues (an operator may re-queue a failed action once).

CREATE TABLE jet.action_kinds (
    kind            text PRIMARY KEY CHECK (kind ~ '^[a-z_]{1,40}$'),
    method          text    NOT NULL CHECK (method IN ('PUT', 'POST', 'PATCH')),
    path            text    NOT NULL,
    subject         text    NOT NULL CHECK (subject IN ('order', 'shipment_request', 'return', 'refund')),
    acknowledgement boolean NOT NULL,
    ordered         boolean NOT NULL,
    description     text    NOT NULL
);
COMMENT ON TABLE jet.action_kinds IS 'The kinds of write to Jet the outbox knows (registry: jet.outbox.kinds). Key: kind. jet.actions.call references it.';
COMMENT ON COLUMN jet.action_kinds.path IS 'Jet''s endpoint, {order} / {subject} filled from the action.';
COMMENT ON COLUMN jet.action_kinds.subject IS 'What jet.actions.subject names: order (NULL subject: the order itself), shipment_request (jet.shipment_requests id), return (Jet''s return id), refund (our alt_refund_id).';
COMMENT ON COLUMN jet.action_kinds.acknowledgement IS 'True for the acknowledgement call (accepted or rejected): one per order, ever.';
COMMENT ON COLUMN jet.action_kinds.ordered IS 'True when the actions of one merchant order of this kind are sent one at a time, oldest first (shipped calls: Jet counts units cumulatively).';

INSERT INTO jet.action_kinds (kind, method, path, subject, acknowledgement, ordered, description) VALUES
    ('acknowledge', 'PUT', '/orders/{order}/acknowledge', 'order', true, false,
     'accept the order (acknowledgement_status accepted)'),
    ('reject', 'PUT', '/orders/{order}/acknowledge', 'order', true, false,
     'reject an order short of stock (rejected - item level error)'),
    ('cancel', 'PUT', '/orders/{order}/acknowledge', 'order', true, false,
     'reject an order that cannot ship at all, or an operator''s cancel before acknowledgement'),
    ('directed_cancel', 'PUT', '/orders/{order}/shipped', 'order', false, true,
     'cancel exactly the units Jet asked to cancel'),
    ('cancel_units', 'PUT', '/orders/{order}/shipped', 'order', false, true,
     'an operator cancels the open units of an acknowledged order'),
    ('ship', 'PUT', '/orders/{order}/shipped', 'shipment_request', false, true,
     'upload one merchant shipment (jet.shipment_requests)'),
    ('complete_return', 'PUT', '/returns/{subject}/complete', 'return', false, false,
     'complete a return (full, partial or denied credit)'),
    ('refund', 'POST', '/refunds/{order}/{subject}', 'refund', false, false,
     'a merchant refund under our alt_refund_id');

ALTER TABLE jet.actions
    ADD COLUMN call            text,
    ADD COLUMN subject         text CHECK (subject ~ '^[A-Za-z0-9._-]{1,80}$'),
    ADD COLUMN dedupe_key      text,
    ADD COLUMN triggering_user text CHECK (triggering_user <> ''),
    ADD COLUMN not_before      timestamptz,
    ADD COLUMN last_answer_at  timestamptz,
    ADD COLUMN rate_limited    integer NOT NULL DEFAULT 0 CHECK (rate_limited >= 0),
    ADD COLUMN requeues        integer NOT NULL DEFAULT 0 CHECK (requeues IN (0, 1));

UPDATE jet.actions a
   SET call = split_part(a.kind, ':', 1),
       subject = nullif(split_part(a.kind, ':', 2), ''),
       dedupe_key = a.merchant_order_id || '/' || a.kind,
       -- who queued it was only known from the note the outbox wrote then
       triggering_user = (SELECT n.actor FROM jet.order_notes n
                          WHERE n.merchant_order_id = a.merchant_order_id AND n.source = 'action:' || a.action_id
                          ORDER BY n.note_id LIMIT 1);

ALTER TABLE jet.actions
    ALTER COLUMN call SET NOT NULL,
    ALTER COLUMN dedupe_key SET NOT NULL,
    ADD CONSTRAINT actions_call_fkey FOREIGN KEY (call) REFERENCES jet.action_kinds (kind),
    ADD CONSTRAINT actions_dedupe_key_key UNIQUE (dedupe_key),
    -- kind stays the readable name (views and notes use it), but it is derived, never free text.
    ADD CONSTRAINT actions_kind_is_call_and_subject CHECK (kind = call || coalesce(':' || subject, ''));
-- The list of kinds in this check is now the foreign key to jet.action_kinds.
ALTER TABLE jet.actions DROP CONSTRAINT actions_kind_check;
-- 429 is an outcome of its own: not an attempt, recorded for the record.
ALTER TABLE jet.action_attempts DROP CONSTRAINT action_attempts_outcome_check;
ALTER TABLE jet.action_attempts ADD CONSTRAINT action_attempts_outcome_check
    CHECK (outcome IN ('applied', 'not_applied', 'unknown', 'rate_limited', 'refused'));

CREATE INDEX actions_call_subject_idx ON jet.actions (call, subject);

COMMENT ON COLUMN jet.actions.kind IS 'call, or call:subject (ship:17, refund:JF-RF-...): the readable name, kept equal to call and subject by a check.';
COMMENT ON COLUMN jet.actions.call IS 'The kind of write (jet.action_kinds).';
COMMENT ON COLUMN jet.actions.subject IS 'What the call acts on besides the order: the shipment request id (ship), Jet''s return id (complete_return), our alt_refund_id (refund); NULL for calls on the order itself.';
COMMENT ON COLUMN jet.actions.dedupe_key IS 'Idempotency key of queueing: a second queue with the same key returns the existing action (default <order>/<kind>: one action per order and kind, ever).';
COMMENT ON COLUMN jet.actions.triggering_user IS 'The Airflow user who triggered the run that queued the action (or answered for it in the inbox); NULL for the scheduled pipelines.';
COMMENT ON COLUMN jet.actions.last_answer_at IS 'Wall-clock time the client stopped waiting for the last send: Jet''s answer came, or the client gave up (timeout, dropped connection). A write Jet does not show is judged not applied only a quiet period (the late-apply allowance) after it.';
COMMENT ON COLUMN jet.actions.not_before IS 'Jet answered 429 (rate limited): not sent again before this instant (its Retry-After). A 429 is not an attempt.';
COMMENT ON COLUMN jet.actions.rate_limited IS 'Times Jet answered 429 to this write (none of them applied it, none counts as an attempt).';
COMMENT ON COLUMN jet.actions.requeues IS 'Times an operator re-queued the action after it failed (jet_retry_action): at most once.';
COMMENT ON COLUMN jet.actions.state IS 'pending (not sent yet), sending (committed just before the call), applied (2xx, or Jet''s read-back shows it), not_applied (Jet''s read-back does not show it after the quiet period: may be sent again), unknown (timeout / dropped / 5xx: settled from Jet''s read-back first), failed (Jet refused it with 4xx, it can no longer apply, or the attempt limit was reached; an operator may re-queue it once).';
COMMENT ON COLUMN jet.action_attempts.outcome IS 'applied (2xx), refused (4xx other than 429: Jet''s message in error), unknown (timeout, dropped connection, 5xx), rate_limited (429: not an attempt of the action, attempt numbers the sends), not_applied (before migration 0040: a 4xx).';

-- The acknowledgement deadline covers every ready order whose acknowledgement call is not
-- applied: none queued, or pending, sending, unknown, not applied, failed. (Before, an
-- action in flight hid the order, and a sender killed mid-chunk hid its whole chunk.)
CREATE OR REPLACE FUNCTION jet.orders_at_risk_at(p_at timestamptz)
RETURNS TABLE (
    merchant_order_id text,
    fulfillment_node  text,
    ready_at          timestamptz,
    deadline          timestamptz,
    minutes_left      numeric,
    state             text
) LANGUAGE sql STABLE AS $$
    SELECT o.merchant_order_id, o.fulfillment_node, o.ready_at,
           o.ready_at + interval '15 minutes' AS deadline,
           round((extract(epoch FROM (o.ready_at + interval '15 minutes') - p_at) / 60)::numeric, 1) AS minutes_left,
           CASE
               WHEN a.state IS NOT NULL THEN a.call || ' ' || a.state
               WHEN d.outcome = 'hold' THEN 'held'
               WHEN d.decision_id IS NULL THEN 'undecided'
               ELSE 'not_acknowledged'
           END AS state
    FROM jet.orders o
    LEFT JOIN jet.decisions d ON d.merchant_order_id = o.merchant_order_id AND NOT d.dry_run
    LEFT JOIN LATERAL (
        SELECT x.call, x.state
        FROM jet.actions x JOIN jet.action_kinds k ON k.kind = x.call AND k.acknowledgement
        WHERE x.merchant_order_id = o.merchant_order_id
        ORDER BY x.action_id DESC LIMIT 1
    ) a ON true
    WHERE o.status = 'ready' AND o.ready_at IS NOT NULL
      AND a.state IS DISTINCT FROM 'applied'
    ORDER BY deadline, o.merchant_order_id
$$;
COMMENT ON FUNCTION jet.orders_at_risk_at(timestamptz) IS 'Ready orders whose acknowledgement call is not applied, as seen at p_at: deadline = ready_at + 15 min, minutes left (negative = overdue); state is undecided, held, not_acknowledged, or the call and its state (acknowledge sending, reject unknown, cancel failed, ...). The deadline watch (DAG jet_deadline_watch) calls it with its run''s time.';

-- Ordered kinds (jet.action_kinds.ordered) go one at a time per merchant order, oldest
-- first: an action waits while an older one of an ordered kind on its order is open.
CREATE FUNCTION jet.action_waits_its_turn(p_action_id bigint, p_merchant_order_id text, p_call text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT k.ordered FROM jet.action_kinds k WHERE k.kind = p_call), false)
       AND EXISTS (SELECT 1
                   FROM jet.actions e JOIN jet.action_kinds ek ON ek.kind = e.call AND ek.ordered
                   WHERE e.merchant_order_id = p_merchant_order_id AND e.action_id < p_action_id
                     AND e.state NOT IN ('applied', 'failed'))
$$;
COMMENT ON FUNCTION jet.action_waits_its_turn(bigint, text, text) IS 'True when an action of an ordered kind must wait: an older action of an ordered kind on the same order is not applied (nor failed) yet.';

-- Writers that name only the kind (older SQL, hand-written fixes) or only call and subject
-- get the other side filled in, and the default dedupe key: the check above keeps them equal.
CREATE FUNCTION jet.action_fill_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.call IS NULL THEN
        NEW.call := split_part(NEW.kind, ':', 1);
        NEW.subject := nullif(split_part(NEW.kind, ':', 2), '');
    END IF;
    NEW.kind := coalesce(NEW.kind, NEW.call || coalesce(':' || NEW.subject, ''));
    NEW.dedupe_key := coalesce(NEW.dedupe_key, NEW.merchant_order_id || '/' || NEW.kind);
    NEW.triggering_user := coalesce(NEW.triggering_user, jet.session_actor());
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION jet.action_fill_names() IS 'Trigger: an action inserted with only kind (or only call and subject) gets the other, the default dedupe key <order>/<kind>, and the session''s actor as triggering_user when none is given.';
CREATE TRIGGER actions_fill_names BEFORE INSERT ON jet.actions
    FOR EACH ROW EXECUTE FUNCTION jet.action_fill_names();
