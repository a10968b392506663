"""Jet's words are bound from jet.api.vocabulary, never spelled in the SQL.

Every wire string of Jet's is written once, in the vocabulary; a statement that spells
one as a literal would silently stop matching the day the vocabulary changes. The scan
reads every include/jet/sql/*.sql (comments stripped) and names each single-quoted
literal that is a value of one of the vocabulary's StrEnums or tuples.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

import jet.api.vocabulary as vocabulary

pytestmark = pytest.mark.unit

SQL_DIR = Path(__file__).resolve().parents[3] / "include" / "jet" / "sql"

#: Our own words that happen to be Jet's too, spelled where the SQL compares our own
#: column, which has no single Python constant to bind from: (file, word) -> why.
OWN_WORDS: dict[tuple[str, str], str] = {
    **{
        (name, "failed"): "jet.actions.state, the outbox's own state (not Jet's report_status)"
        for name in (
            "console_queue_counts.sql",
            "console_queue_writes.sql",
            "fulfillment_in_flight_units.sql",
            "refunds_already.sql",
            "outbox_record_send.sql",
            "outbox_requeue.sql",
            "outbox_settle.sql",
            "catalog_sync_plan.sql",
        )
    },
}

_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def vocabulary_words() -> dict[str, str]:
    """Every value of the vocabulary's StrEnums and tuples -> where it is defined."""
    words: dict[str, str] = {}
    for name, value in vars(vocabulary).items():
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
            for member in value:
                words.setdefault(member.value, f"{name}.{member.name}")
        elif isinstance(value, tuple):
            for word in value:
                if isinstance(word, str):
                    words.setdefault(word, name)
    return words


def jet_literals(name: str, text: str, words: dict[str, str]) -> list[tuple[str, int, str]]:
    """(file, line, word) of each literal in ``text`` that is one of ``words``."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("--", 1)[0]
        found += [(name, number, w) for w in (m.replace("''", "'") for m in _LITERAL.findall(code)) if w in words]
    return found


def _all_literals() -> list[tuple[str, int, str]]:
    words = vocabulary_words()
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        found += jet_literals(path.name, path.read_text(encoding="utf-8"), words)
    return found


def test_the_scan_sees_a_planted_literal() -> None:
    words = vocabulary_words()
    planted = "SELECT 1 FROM jet.orders o\nWHERE o.status = 'ready' -- not 'complete' here\n  AND x = 'it''s'"
    assert jet_literals("planted.sql", planted, words) == [("planted.sql", 2, "ready")]
    assert words["completed by merchant"] == "ReturnStatus.COMPLETED_BY_MERCHANT"
    assert words["UPS Ground"] == "SHIPPING_METHODS"


def test_no_sql_file_spells_a_jet_word() -> None:
    words = vocabulary_words()
    bad = [
        f"{name}:{line}: '{word}' ({words[word]})"
        for name, line, word in _all_literals()
        if (name, word) not in OWN_WORDS
    ]
    assert not bad, "bind Jet's words from jet.sql.words (%(vocab_...)s), never spell them:\n" + "\n".join(bad)


def test_every_own_word_exemption_is_still_needed() -> None:
    # An exemption outliving its literal would let the next one in unseen.
    spelled = {(name, word) for name, _, word in _all_literals()}
    stale = sorted(set(OWN_WORDS) - spelled)
    assert not stale, f"OWN_WORDS lists literals no longer in the SQL, drop them: {stale}"
