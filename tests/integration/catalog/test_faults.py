"""Faults: a 429 storm slows the push without losing or repeating an update; answers
lost after Jet applied a push are settled by read-back; a run killed half way continues
where it stopped. Counted at the sandbox: no value is pushed twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import poll
from tests.integration.catalog.conftest import jet_catalog, put_requests, view, writes

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.integration


def assert_every_sku_in_sync_and_pushed_once(sandbox: Any, conn: Any) -> None:
    rows = [r for r in view(conn) if r["in_catalog"]]
    assert rows
    assert all(r["in_sync"] is True for r in rows), [r for r in rows if not r["in_sync"]][:3]
    jet = jet_catalog(sandbox)
    for r in rows:
        assert jet[r["sku"]]["inventory"][r["fulfillment_node"]] == r["sellable_now"]
    applied = Counter((e["path"], repr(e["body"])) for e in writes(sandbox))
    assert max(applied.values()) == 1, [k for k, n in applied.items() if n > 1][:3]
    skus = {r["sku"] for r in rows}
    # at most one inventory and one price push per SKU (a read-back may find Jet already had a value)
    assert len(applied) <= 2 * len(skus)


def sync_until_complete(sync: Any, tries: int = 3) -> dict[str, Any]:
    """Sync as Airflow would, retrying a run that ended with pushes Jet kept failing."""
    from jet.catalog.sync import PushIncomplete

    for _ in range(tries - 1):
        try:
            return sync()
        except PushIncomplete:
            continue
    return sync()


def test_a_429_storm_slows_the_push_without_losing_or_repeating_an_update(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    # Thirty 429s (each pausing every sender for its Retry-After) say what a longer storm
    # would; beyond them the test would only wait out more one-second pauses.
    storm = {"retry_after": 1, "label": "storm", "max_fires": 30}
    sandbox.set_faults([{"kind": "rate_429", "rate": 0.5, "methods": ["PUT"], "params": storm}])

    receipt = sync()

    assert sandbox.faults_fired() == {"storm": 30}, "the storm ran its course"
    assert receipt["push"]["rate_limited"] == 30, "every 429 counted, none taken for an answer"
    assert receipt["push"]["outcomes"] == {"accepted": receipt["push"]["planned"]}
    assert_every_sku_in_sync_and_pushed_once(sandbox, catalog_db)
    refused = catalog_db.execute("SELECT sum(rate_limited) FROM jet.catalog_pushes").fetchone()[0]
    assert refused == receipt["push"]["rate_limited"]


def test_answers_lost_after_jet_applied_are_settled_by_read_back(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any, jet_connection: Any
) -> None:
    jet_connection(read_timeout=1, connect_timeout=1)
    sandbox.set_faults(
        [
            {"kind": "drop_after_apply", "rate": 0.2, "methods": ["PUT"]},
            {"kind": "error_500", "rate": 0.1, "methods": ["PUT"]},
        ]
    )

    sync_until_complete(sync)

    read_back = "SELECT count(*) FROM jet.catalog_pushes WHERE settled_by = 'read_back' AND state = 'accepted'"
    assert catalog_db.execute(read_back).fetchone()[0] > 0, "some answers were lost after Jet applied the push"
    assert_every_sku_in_sync_and_pushed_once(sandbox, catalog_db)


def test_a_run_killed_half_way_continues_where_it_stopped(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any, jet_connection: Any
) -> None:
    jet_connection(read_timeout=1, connect_timeout=1, max_concurrency=4)
    sandbox.set_faults([{"kind": "latency", "rate": 1.0, "methods": ["PUT"], "params": {"seconds": 0.05}}])
    env = dict(os.environ)
    code = (
        "from jet.catalog.tasks import push_to_jet; from jet.runs import RunIdentity; "
        "from datetime import UTC, datetime; "
        "push_to_jet(RunIdentity('jet_catalog_sync', 'killed', datetime(2026, 3, 2, tzinfo=UTC)))"
    )
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
    try:
        poll(lambda: len(writes(sandbox)) >= 30 or None, timeout=60, what="the first pushes reach Jet", every=0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    left = catalog_db.execute("SELECT count(*) FROM jet.catalog_pushes WHERE state = 'sending'").fetchone()[0]
    assert left > 0  # the killed run left pushes it had recorded but not settled
    sandbox.clear_faults()

    receipt = sync()

    assert receipt["push"]["read_back"] >= left
    assert_every_sku_in_sync_and_pushed_once(sandbox, catalog_db)


def test_the_push_keeps_within_the_connections_rate_budget(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any, jet_connection: Any
) -> None:
    jet_connection(rate_limit_per_second=40, rate_limit_burst=4, max_concurrency=8)

    receipt = sync()

    stamps = sorted(r["wall"] for r in sandbox.requests_log() if r["method"] == "PUT")
    assert len(stamps) == receipt["push"]["requests"] > 80
    # The hook's token bucket lets burst + rate x window requests start in any window. They
    # are stamped on arrival at the sandbox, which jitters on a busy machine (one request
    # delayed lands with the next), so judge two-second windows with a little slack: a
    # budget that leaked would send the ~120 PUTs of 8 workers in well under a second.
    window, slack = 2.0, 4
    worst = max(sum(1 for t in stamps[i:] if t < start + window) for i, start in enumerate(stamps))
    assert worst <= 4 + 40 * window + slack, worst
    assert (len(stamps) - 4) / (stamps[-1] - stamps[0]) <= 40 * 1.05, "the average rate stays within the budget"
    assert_every_sku_in_sync_and_pushed_once(sandbox, catalog_db)


def test_a_push_jet_refuses_fails_with_its_message_is_not_sent_again_and_can_be_requeued_once(
    sandbox: Any, seeded: Any, catalog_db: Any, sync: Any
) -> None:
    # A SKU of the catalog that Jet does not have (with follow_archive off nothing says so):
    # Jet refuses its pushes with 404.
    from jet.outbox import ActionFailed, ActionRefused
    from jet.outbox.tasks import retry_action
    from tests.integration.catalog.conftest import set_toggles, sync_run

    set_toggles(catalog_db, follow_archive=False)
    sku = "NOT-AT-JET-1"
    with catalog_db.transaction():
        source = catalog_db.execute("SELECT min(sku) FROM jet.products").fetchone()[0]
        for table in ("jet.products", "jet.inventory"):
            copy = f"CREATE TEMP TABLE copied ON COMMIT DROP AS SELECT * FROM {table} WHERE sku = %s"
            catalog_db.execute(copy, (source,))
            catalog_db.execute("UPDATE copied SET sku = %s", (sku,))
            catalog_db.execute(f"INSERT INTO {table} SELECT * FROM copied")
            catalog_db.execute("DROP TABLE copied")

    first = sync()

    assert first["push"]["outcomes"]["refused"] == 2, first["push"]["outcomes"]
    refused = catalog_db.execute(
        "SELECT push_id, kind, http_status, action_state, jet_message FROM jet.catalog_pushes"
        " WHERE sku = %s ORDER BY kind",
        (sku,),
    ).fetchall()
    assert [(kind, status, state) for _, kind, status, state, _ in refused] == [
        ("inventory", 404, "failed"),
        ("price", 404, "failed"),
    ]
    assert all(message for *_, message in refused), "Jet's message is kept"
    assert not [w for w in writes(sandbox) if sku in repr(w)]

    sandbox.clear_requests()
    again = sync()

    assert again["push"]["requests"] == 0, "the same value Jet refused is not sent again"
    assert put_requests(sandbox) == []

    push_id = refused[0][0]
    with pytest.raises(ActionFailed, match="Jet has no SKU"):
        retry_action(sync_run(sandbox), push_id)
    with pytest.raises(ActionRefused, match="re-queued once already"):
        retry_action(sync_run(sandbox), push_id)
