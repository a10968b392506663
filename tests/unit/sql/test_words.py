"""jet.sql.words and jet.sql.bind: every ``%(vocab_...)s`` a statement names is a word of the
vocabulary, and a name the mapping lacks is refused loudly (never bound as NULL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jet.api.vocabulary import OPEN_ORDER_STATUSES, OrderStatus, RefundStatus
from jet.sql import bind, read_sql
from jet.sql.words import PREFIX, WORDS, UnknownWord, words_of

pytestmark = pytest.mark.unit

SQL_DIR = Path(__file__).resolve().parents[3] / "include" / "jet" / "sql"
_WORD = re.compile(r"%\((" + PREFIX + r"\w*)\)s")


def _named() -> dict[str, set[str]]:
    """Each ``vocab_`` placeholder of include/jet/sql/*.sql -> the files that name it."""
    named: dict[str, set[str]] = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        for word in _WORD.findall(path.read_text(encoding="utf-8")):
            named.setdefault(word, set()).add(path.name)
    return named


def test_every_word_a_statement_names_is_in_the_mapping() -> None:
    unknown = sorted(f"{name}: %({word})s" for word, names in _named().items() if word not in WORDS for name in names)
    assert not unknown, f"placeholders jet.sql.words does not have (a typo?): {unknown}"


def test_every_word_of_the_mapping_is_used() -> None:
    # A word no statement names is dead weight that would drift from the vocabulary unseen.
    assert sorted(set(WORDS) - set(_named())) == []


def test_a_typo_is_refused_naming_the_file_and_the_word() -> None:
    with pytest.raises(UnknownWord, match=r"planted\.sql: %\(vocab_order_redy\)s is no Jet word"):
        words_of("planted.sql", "SELECT 1 FROM jet.orders WHERE status = %(vocab_order_redy)s")


def test_bind_adds_the_words_a_file_names_to_the_callers_params() -> None:
    params = bind("demo_to_ship.sql", {"before": "x"})
    assert params == {"before": "x", "vocab_open_order_statuses": list(OPEN_ORDER_STATUSES)}
    assert bind("orders_open_ids.sql") == {"vocab_order_complete": OrderStatus.COMPLETE.value}
    assert "%(vocab_order_complete)s" in read_sql("orders_open_ids.sql")


def test_bind_gives_a_fresh_list_each_time() -> None:
    # The mapping's tuples are bound as lists: a caller changing one changes no other call.
    first = bind("demo_to_ship.sql", {"before": None})
    first["vocab_open_order_statuses"].append("oops")
    assert bind("demo_to_ship.sql", {"before": None})["vocab_open_order_statuses"] == list(OPEN_ORDER_STATUSES)


def test_a_caller_may_not_choose_a_jet_word() -> None:
    with pytest.raises(ValueError, match=r"orders_open_ids\.sql: parameters \['vocab_order_complete'\]"):
        bind("orders_open_ids.sql", {"vocab_order_complete": "ready"})


def test_the_words_are_the_vocabularys() -> None:
    assert WORDS["vocab_order_ready"] == OrderStatus.READY
    assert WORDS["vocab_refund_accepted"] == RefundStatus.ACCEPTED
    assert WORDS["vocab_refund_rejected_like"] == "rejected%"
    assert all(w.startswith(PREFIX) for w in WORDS)
