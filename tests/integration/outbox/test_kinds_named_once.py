"""Each action kind is named in one Python place (the registry) and SQL filters on what
``jet.action_kinds`` says about it: no view or function of the warehouse compares a kind
to a name of its own, so a new kind needs no edit of the views that tell an order's story."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from jet.outbox.kinds import KINDS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]

#: A kind or call column compared with a literal: ``a.kind = 'acknowledge'::text``,
#: ``kind = ANY (ARRAY['reject'::text, ...])``, ``p_acknowledgement_call = 'cancel'``,
#: ``a.kind ~~ 'ship:%'::text`` (LIKE, as Postgres prints it).
COMPARED = re.compile(
    r"(?:kind|call)\b\)?\s*(?:=|<>|~~|IN\s*\(|=\s*ANY\s*\(ARRAY\[)"  # the comparison
    r"([^)\]]*?)(?:\)|\]|\s(?:AND|OR|THEN)\s|$)",  # what it compares with, to its end
    re.I | re.M,
)
NAME = re.compile(r"'([a-z_]+)(?::%)?'")

DEFINITIONS = """
SELECT 'view ' || schemaname || '.' || viewname, definition FROM pg_views WHERE schemaname IN ('jet', 'analytics')
UNION ALL
SELECT 'function ' || n.nspname || '.' || p.proname, pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('jet', 'analytics') AND p.prokind IN ('f', 'p')
"""


def kind_names_compared(text: str) -> set[str]:
    return {name for compared in COMPARED.findall(text) for name in NAME.findall(compared) if name in KINDS}


#: ``CASE a.kind WHEN 'reject' ...``: a kind switched on by name.
CASE_ON_KIND = re.compile(r"CASE\s+\w+\.(?:kind|call)\s+WHEN\s+'", re.I)


def test_the_patterns_see_the_ways_a_kind_was_named() -> None:
    # The check below is only as good as its patterns: each of these named a kind once.
    printed = [
        "WHERE a.kind = 'acknowledge'::text AND a.state <> 'failed'::text",
        "(a_1.kind = ANY (ARRAY['acknowledge'::text, 'reject'::text, 'cancel'::text]))",
        "WHEN p_acknowledgement_call = 'reject' THEN 'rejected'",
        "a.kind ~~ 'ship:%'::text",
    ]
    assert [sorted(kind_names_compared(t)) for t in printed] == [
        ["acknowledge"],
        ["acknowledge", "cancel", "reject"],
        ["reject"],
        ["ship"],
    ]
    assert CASE_ON_KIND.search("CASE a.kind WHEN 'reject' THEN 'reject' ELSE 'cancel' END")
    # And the definitions 0060 replaced would fail the check.
    before = (ROOT / "include/jet/warehouse/migrations/0058_who_started_a_cancel.sql").read_text(encoding="utf-8")
    assert kind_names_compared(before) >= {"reject", "cancel", "directed_cancel", "cancel_units", "acknowledge"}


def test_no_view_or_function_compares_a_kind_with_a_name(decisions_db: Any) -> None:
    named = {}
    for obj, text in decisions_db.execute(DEFINITIONS).fetchall():
        found = kind_names_compared(text)
        if found or CASE_ON_KIND.search(text):
            named[obj] = sorted(found) or ["CASE on a kind"]
    assert named == {}, f"filter on jet.action_kinds columns (answer, cancels_units, ...) instead: {named}"


def test_the_kinds_rows_say_what_each_kind_does(decisions_db: Any) -> None:
    rows = decisions_db.execute(
        "SELECT kind, answer, cancels_units, started_by, rule_in FROM jet.action_kinds ORDER BY kind"
    ).fetchall()
    by_kind = {kind: (answer, cancels, started_by, rule_in) for kind, answer, cancels, started_by, rule_in in rows}
    # Every acknowledgement call says what it does to the order; nothing else does.
    assert {k for k, (answer, *_) in by_kind.items() if answer} == {n for n, k in KINDS.items() if k.acknowledgement}
    # The rule behind each kind is a module that exists.
    missing = {k: rule_in for k, (*_, rule_in) in by_kind.items() if not (ROOT / rule_in).is_file()}
    assert missing == {}


def test_no_statement_compares_a_kind_with_a_name() -> None:
    # The statements the code runs (include/jet/sql) bind a kind from the registry or
    # filter on jet.action_kinds, like the views; migrations are the schema's history.
    named = {}
    for path in sorted((ROOT / "include/jet/sql").glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        # "call IN (SELECT k.kind FROM jet.action_kinds k WHERE ...)" is the way to do it.
        text = re.sub(r"IN\s*\(\s*SELECT\s+k\.kind\s+FROM\s+jet\.action_kinds\s+k\s+WHERE[^)]*\)", "", text, flags=re.I)
        if found := kind_names_compared(text):
            named[path.name] = sorted(found)
    assert named == {}, f"bind the kind's name from jet.outbox.kinds, or filter on jet.action_kinds: {named}"
    was = "AND a.kind = 'acknowledge' AND a.state = 'applied'"  # fulfillment_partial_cancels_due.sql before
    assert kind_names_compared(was) == {"acknowledge"}
