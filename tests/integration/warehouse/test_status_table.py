"""docs/statuses.md and the database say the same thing: the one definition of the
internal statuses (jet.internal_status), both ways of the mapping, and who reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration

DOC = Path(__file__).resolve().parents[3] / "docs" / "statuses.md"
UNITS_ORDERED = 2  # the table's orders have two units


def _rows(marker: str) -> list[list[str]]:
    """The cells of the table between ``<!-- marker ...`` and ``<!-- end marker -->``."""
    text = DOC.read_text()
    match = re.search(rf"<!-- {marker}:[^>]*-->\n(.*?)\n<!-- end {marker} -->", text, re.S)
    assert match, f"docs/statuses.md has no {marker}"
    lines = [line for line in match.group(1).splitlines() if line.startswith("|")]
    _header, separator, *body = lines
    assert set(separator.replace("|", "")) <= {"-"}, "the second line is the table's separator"
    return [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in body]


def _none(cell: str) -> str | None:
    return None if cell == "—" else cell


@dataclass(frozen=True)
class Row:
    jet_status: str
    exception_state: str | None
    call: str | None
    held: bool
    shipped: int
    cancelled: int
    returns: int
    refunded: bool
    internal: str


def status_rows() -> list[Row]:
    rows = []
    for status, exception, call, held, units, money, internal in _rows("status-table"):
        shipped, cancelled = (int(n) for n in units.split("/"))
        assert held in ("yes", "no"), held
        assert money in ("—", "return", "refund"), money
        rows.append(
            Row(status, _none(exception), _none(call), held == "yes", shipped, cancelled,
                1 if money == "return" else 0, money == "refund", internal)
        )  # fmt: skip
    return rows


def test_every_row_of_the_jet_to_jetflow_table_is_what_the_database_computes(warehouse: psycopg.Connection) -> None:
    rows = status_rows()
    wrong = []
    for row in rows:
        (got,) = warehouse.execute(
            "SELECT jet.internal_status(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (row.jet_status, row.exception_state, row.call, row.held, UNITS_ORDERED, row.shipped, row.cancelled,
             row.returns, row.refunded),
        ).fetchone()  # fmt: skip
        if got != row.internal:
            wrong.append((row, got))
    assert wrong == [], "docs/statuses.md and jet.internal_status() disagree"


def test_the_table_covers_every_jet_status_exception_state_and_internal_status() -> None:
    from jet.api.models import EXCEPTION_STATES, ORDER_STATUSES
    from jet.console.search import INTERNAL_STATUSES

    rows = status_rows()
    assert set(ORDER_STATUSES) <= {r.jet_status for r in rows}
    assert set(EXCEPTION_STATES) <= {r.exception_state for r in rows}
    assert {r.internal for r in rows} == set(INTERNAL_STATUSES)
    text = DOC.read_text()
    for status in INTERNAL_STATUSES:
        assert f"| `{status}` |" in text, f"the definitions table names {status}"


def test_the_map_and_the_analytics_read_the_one_definition(warehouse: psycopg.Connection) -> None:
    def definition(view: str) -> str:
        return warehouse.execute("SELECT pg_get_viewdef(%s::regclass)", (view,)).fetchone()[0]

    for view in ("jet.order_status_map", "analytics.order_outcomes"):
        assert "internal_status(" in definition(view), f"{view} computes the status with jet.internal_status()"
    for view in ("analytics.cancellation_rate", "analytics.order_status", "jet.order_cancellations"):
        assert "order_status_map" in definition(view), f"{view} reads jet.order_status_map"
    assert "CASE" not in definition("jet.order_status_map").split("internal_status(")[0], (
        "the map has no status rule of its own"
    )


def test_the_jetflow_to_jet_table_lists_every_kind_of_write(warehouse: psycopg.Connection) -> None:
    documented = set()
    for kind, *_ in _rows("action-table"):
        documented.add(kind.split(":")[0] + (":" if ":" in kind else ""))
    # The outbox's registry as the warehouse holds it (jet.action_kinds): a kind that acts
    # on something other than the order itself is written "<kind>:<subject>" in jet.actions.
    registered = {
        kind + ("" if subject == "order" else ":")
        for kind, subject in warehouse.execute("SELECT kind, subject FROM jet.action_kinds").fetchall()
    }
    assert documented == registered, "docs/statuses.md lists exactly the writes the outbox knows"
