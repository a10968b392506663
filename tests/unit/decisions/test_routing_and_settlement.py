"""Pure parts of the decision stage: which branches run, how an unknown write is settled
from the order Jet shows, and the catalog CSV validation."""

from __future__ import annotations

from typing import Any

import pytest

from jet.catalog.load_csv import CatalogFileError, parse
from jet.decisions.report import percentile, summarize_latency
from jet.decisions.tasks import HOLD, groups_with_work
from jet.outbox import Action, Verdict, kind

pytestmark = pytest.mark.unit

ACK, REJ, CAN = "acknowledge", "reject", "cancel"


@pytest.mark.parametrize(
    ("receipt", "work", "held", "expected"),
    [
        ({"dry_run": False, "by_outcome": {}}, {}, 0, []),
        ({"dry_run": False, "by_outcome": {"acknowledge": 2}}, {"acknowledge": 2}, 0, [ACK]),
        ({"dry_run": False}, {"reject": 1, "cancel": 1}, 0, [REJ, CAN]),
        ({"dry_run": False}, {"directed_cancel": 1}, 0, [CAN]),
        ({"dry_run": False}, {"cancel_units": 1}, 2, [CAN, HOLD]),
        ({"dry_run": False, "by_outcome": {"hold": 1}}, {}, 1, [HOLD]),
        # A dry run never sends, even with work left by earlier runs.
        ({"dry_run": True, "by_outcome": {"acknowledge": 3}}, {"acknowledge": 3}, 0, []),
        ({"dry_run": True, "by_outcome": {"hold": 3}}, {}, 0, [HOLD]),
    ],
)
def test_groups_with_work(receipt: dict, work: dict, held: int, expected: list[str]) -> None:
    assert groups_with_work(receipt, work, held) == expected


def order(status: str, ack: str | None = None, shipments: list[dict[str, Any]] | None = None, exc: str | None = None):
    from jet.api.models import OrderDetail

    return OrderDetail.model_validate(
        {
            "merchant_order_id": "o1",
            "reference_order_id": "1",
            "fulfillment_node": "n",
            "status": status,
            "acknowledgement_status": ack,
            "exception_state": exc,
            "order_placed_date": "2026-03-02T15:00:00.0000000Z",
            "buyer": {"name": "a"},
            "shipping_to": {
                "recipient": {"name": "a"},
                "address": {"address1": "x", "city": "c", "state": "NY", "zip_code": "10001"},
            },
            "order_detail": {"request_ship_by": "2026-03-03T15:00:00.0000000Z"},
            "order_totals": {},
            "order_items": [
                {
                    "order_item_id": "i1",
                    "merchant_sku": "S",
                    "request_order_quantity": 1,
                    "item_price": {"base_price": 1, "item_shipping_cost": 0},
                }
            ],
            "shipments": shipments or [],
        }
    )


ACCEPT = {"acknowledgement_status": "accepted"}
REJECT = {"acknowledgement_status": "rejected - item level error"}
DIRECTED = {"shipments": [{"alt_shipment_id": "directed_cancel-o1", "shipment_items": []}]}
UNITS = {"shipments": [{"alt_shipment_id": "cancel_units-o1", "shipment_items": []}]}
STATE_OF = {Verdict.APPLIED: "applied", Verdict.ABSENT: "not_applied", Verdict.GONE: "failed"}


def settlement(call: str, body: dict, jet: Any) -> tuple[str, str | None]:
    """The state a settle past its quiet period gives, from the kind's judge of Jet's read-back."""
    verdict, note = kind(call).judge(Action(1, "o1", call, None, body, 1), jet)
    return STATE_OF[verdict], note


@pytest.mark.parametrize(
    ("kind", "body", "jet", "state"),
    [
        ("acknowledge", ACCEPT, order("acknowledged", "accepted"), "applied"),
        ("acknowledge", ACCEPT, order("ready"), "not_applied"),
        ("acknowledge", ACCEPT, order("complete", exc="exception - jet manual canceled to complete state"), "failed"),
        ("reject", REJECT, order("complete", "rejected - item level error"), "applied"),
        ("cancel", REJECT, order("ready"), "not_applied"),
        ("cancel", REJECT, order("acknowledged", "accepted"), "failed"),
        (
            "directed_cancel",
            DIRECTED,
            order("complete", "accepted", [{"alt_shipment_id": "directed_cancel-o1", "shipment_items": []}]),
            "applied",
        ),
        ("directed_cancel", DIRECTED, order("acknowledged", "accepted"), "not_applied"),
        ("cancel_units", UNITS, order("complete", "accepted"), "failed"),
    ],
)
def test_settlement_reads_the_outcome_from_the_order(kind: str, body: dict, jet: Any, state: str) -> None:
    assert settlement(kind, body, jet)[0] == state


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    summary = summarize_latency([*values[:10], 16.0])
    assert summary is not None
    assert summary.over_window == 1
    assert summarize_latency([]) is None


HEADER = "sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"


def test_a_good_file_parses() -> None:
    catalog = parse(HEADER + "A,Socks,3.20,false,false,n1,40,\nA,Socks,3.20,false,false,n2,5,2\nB,Book,$7,yes,no,,,\n")
    assert sorted(catalog.products) == ["A", "B"]
    assert catalog.products["B"].replenishable is True
    assert [(s.sku, s.fulfillment_node, s.on_hand, s.safety_stock) for s in catalog.stock] == [
        ("A", "n1", 40, None),
        ("A", "n2", 5, 2),
    ]


def test_every_bad_row_is_named_with_its_column() -> None:
    with pytest.raises(CatalogFileError) as refused:
        parse(
            HEADER
            + "A,Socks,3.20,false,false,n1,40,\n"  # row 2 good
            + "B,,abc,maybe,false,n1,-1,\n"  # row 3: title, unit_cost, replenishable, on_hand
            + "A,Socks,3.20,false,false,n1,41,\n"  # row 4: duplicate node
            + "A,Other,3.20,false,false,n3,1,\n"  # row 5: product columns differ
            + "C,Cup,1.234,false,false,n1,1,\n"  # row 6: three decimals
        )
    errors = refused.value.errors
    assert "row 3, column title: required" in errors
    assert any(e.startswith("row 3, column unit_cost:") for e in errors)
    assert any(e.startswith("row 3, column replenishable:") for e in errors)
    assert any(e.startswith("row 3, column on_hand:") and "negative" in e for e in errors)
    assert any(e.startswith("row 4, column fulfillment_node:") for e in errors)
    assert any(e.startswith("row 5, column sku:") for e in errors)
    assert any(e.startswith("row 6, column unit_cost:") for e in errors)
    assert "nothing loaded" in str(refused.value)


def test_a_bad_header_is_refused() -> None:
    with pytest.raises(CatalogFileError, match="missing column 'on_hand'"):
        parse("sku,title,unit_cost,fulfillment_node\nA,b,1,n\n")
