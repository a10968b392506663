"""The summary's "Why was it cancelled?" section: the query as psql takes it, each kind's answer."""

from __future__ import annotations

import pytest

from jet.demo import WHY_KINDS, CancelExample, WhyCancelled, psql_text
from jet.sql import read_sql

pytestmark = pytest.mark.unit

RULES = "include/jet/decisions/rules.py"


def test_the_query_is_the_documented_one_on_one_line() -> None:
    text = psql_text(read_sql("demo_why_cancelled.sql"))
    assert text == (
        "SELECT internal_status, act, started_by, who, units, reason, rule_in FROM jet.order_cancellations"
        " WHERE merchant_order_id = %(order_id)s ORDER BY at, act"
    )


def test_comments_and_the_final_semicolon_are_left_out() -> None:
    assert psql_text("-- why\nSELECT 1 -- one\n  FROM t;\n") == "SELECT 1 FROM t"


def test_the_demo_shows_the_five_kinds_of_cancel() -> None:
    assert [(act, who) for _, act, who in WHY_KINDS] == [
        ("cancel", "rules"), ("reject", "rules"), ("cancel units", "jet"), ("cancel units", "operator"),
        ("cancel units", "warehouse"),
    ]  # fmt: skip


def test_the_section_prints_the_query_once_and_each_answer() -> None:
    answer = ("cancelled", "cancel", "rules", None, 1, "UNKNOWN_SKU", RULES)
    why = WhyCancelled(
        query=psql_text(read_sql("demo_why_cancelled.sql")),
        examples=(
            CancelExample("rules cancel", "cancel", "rules", 3, "o'1", (answer,)),
            CancelExample("operator cancel", "cancel units", "operator", 0, None),
        ),
        kinds={("reject", "rules"): 40, ("cancel", "rules"): 3},
    )
    lines = why.lines()
    # The first shown order's id, quoted for SQL, so the line runs as printed.
    assert lines[1] == (
        "  SELECT internal_status, act, started_by, who, units, reason, rule_in FROM jet.order_cancellations"
        " WHERE merchant_order_id = 'o''1' ORDER BY at, act;"
    )
    assert sum("FROM jet.order_cancellations" in line for line in lines) == 1
    assert lines[2] == "  orders by act and who started it: reject by rules 40, cancel by rules 3"
    assert lines[3:] == [
        "  rules cancel (3 orders), e.g. o'1:",
        f"    cancelled | cancel | rules |  | 1 | UNKNOWN_SKU | {RULES}",
        "  operator cancel: none in this period",
    ]
