"""The acknowledgement rules: orders + stock snapshot + settings → one decision per order.

Pure: no I/O, no Airflow, no database, no clock. Everything the rules need arrives as
arguments, so the same inputs always give the same decisions, and a decision row can
store its inputs and be replayed. The vocabulary is marketplace-neutral (orders, lines,
SKUs, nodes) and knows none of Jet's strings: :mod:`jet.decisions.acknowledgement` maps
a :class:`Decision` onto Jet's vocabulary, and a second marketplace would map the same
decision to its own values.

The rules implement the "Rules for acknowledging" table of the design:

==============================================  ===============  ==============================
situation                                       :class:`Outcome` line statuses
==============================================  ===============  ==============================
every line in stock, or its product replenish.  ``acknowledge``  all ``fulfillable``
a SKU not in the catalog                        ``cancel``       that line ``unknown_sku``
single-line order, no available stock           ``cancel``       ``no_inventory``
multi-line order, some lines without stock      ``reject``       per line
``accept_regardless_of_inventory`` on           ``acknowledge``  (unless a SKU is unknown)
``auto_acknowledge`` off                        ``hold``         what would have been decided
==============================================  ===============  ==============================

Choices the table leaves open, made here (bump :data:`RULES_VERSION` when any changes):

* **Oldest first.** Orders are decided in ``(ready_at, order_id)`` order against one
  shared availability pool, so two orders never both take the last unit, and a younger
  order can never change an older order's decision. The result does not depend on the
  order of the input.
* **Available** = ``on_hand - promised - shipped_since_count - safety_stock`` per
  ``(sku, node)``, never below 0. ``on_hand`` is a count taken at a moment; units
  shipped after it left the shelf as well as their promise, so they are subtracted too
  (rules version 2). The SKU's own safety stock overrides the setting when set. A known
  SKU without a stock row at the order's node has nothing available there.
* **Whole lines first.** Within an order, lines claim stock in line order and a line is
  ``fulfillable`` only if all its units fit ("first fit": a big line that does not fit
  does not block a smaller later line of the same SKU). Lines of the same SKU therefore
  draw on the same pool, i.e. their quantities are summed against availability.
* **Reservation.** An acknowledged order reserves its units. Units that stock does not
  cover (replenishable products, ``accept_regardless_of_inventory``, partial accepts)
  reserve only what is left, so they never drive availability negative for later
  orders; the rest is sourced later (replenishable, accept-regardless) or cancelled at
  shipment (partial). Rejected and cancelled orders reserve nothing.
* **Held orders reserve** what they would have reserved if acknowledged, so approving a
  held order later does not oversell stock that younger orders took in the meantime.
  The caller must therefore count held orders' reserved units in ``promised`` in later
  batches until they are approved (then they stay promised) or cancelled (released).
* **Held means nothing is sent**, including for orders with an unknown SKU: the table
  makes an exception for unknown SKUs under ``accept_regardless_of_inventory`` but not
  under ``auto_acknowledge`` off, and a merchant who turned automation off decides by
  hand. The held decision still carries the would-be line statuses and reasons, so the
  operator sees what the rules advise.
* **Archived products are not sellable**: they count as having nothing available
  (status ``no_inventory``, reason ``ARCHIVED_SKU``), even when replenishable. They are
  still known SKUs, so ``accept_regardless_of_inventory`` accepts them, as the table says
  ("accepted unless a SKU is unknown").
* **Single-item** means one line (one order item), whatever its quantity.
* **partial_stock_policy = accept_available.** When some but not all units can be
  supplied, the order is acknowledged (the marketplace requires every line of an
  accepted order to be ``fulfillable``); lines short of stock carry reason
  ``PARTIAL_STOCK`` and ``reserved < quantity``, and the missing units
  (:attr:`LineDecision.units_to_cancel`) are cancelled by ``jet_fulfillment`` with a
  cancel-only shipment once Jet has the acknowledgement
  (:func:`jet.fulfillment.shipments.propose_partial_cancels`). It applies to
  single-line orders too (a line of 3 with 2 available). If nothing at all can be
  supplied, the order is rejected or cancelled as under ``reject``.
* A line with quantity 0 (the marketplace already cancelled every unit) needs no stock
  and is ``fulfillable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

# Bump whenever a rule changes, so every recorded decision says which rules made it.
RULES_VERSION = "2"

PartialStockPolicy = Literal["reject", "accept_available"]
_PARTIAL_STOCK_POLICIES: tuple[str, ...] = ("reject", "accept_available")

StockKey = tuple[str, str]
"""``(sku, node)``: availability is tracked per SKU per fulfillment node."""


class Outcome(StrEnum):
    """What happens to an order as a whole."""

    ACKNOWLEDGE = "acknowledge"
    """Accepted; every line is fulfillable (units not in stock are sourced or cancelled later)."""
    REJECT = "reject"
    """Multi-line order with lines out of stock: refused with per-line statuses."""
    CANCEL = "cancel"
    """Unknown SKU, or a single-line order with nothing available: refused at once."""
    HOLD = "hold"
    """``auto_acknowledge`` is off: nothing is sent; the order waits for manual approval."""


class LineStatus(StrEnum):
    """Whether one line can be supplied."""

    FULFILLABLE = "fulfillable"
    NO_INVENTORY = "no_inventory"
    UNKNOWN_SKU = "unknown_sku"


class ReasonCode(StrEnum):
    """Why a line got its status, and (collected) why an order got its outcome.

    An order's reasons are its lines' reasons, plus what a line lacked when a setting
    accepted it anyway (``NO_INVENTORY`` or ``ARCHIVED_SKU`` next to
    ``ACCEPT_REGARDLESS`` or ``PARTIAL_STOCK``), plus ``AUTO_ACK_OFF`` for a held order.
    ``IN_STOCK`` is listed only when it is the sole reason. They are listed in the
    order declared here, most decisive first.
    """

    AUTO_ACK_OFF = "AUTO_ACK_OFF"
    UNKNOWN_SKU = "UNKNOWN_SKU"
    ARCHIVED_SKU = "ARCHIVED_SKU"
    NO_INVENTORY = "NO_INVENTORY"
    PARTIAL_STOCK = "PARTIAL_STOCK"
    ACCEPT_REGARDLESS = "ACCEPT_REGARDLESS"
    REPLENISHABLE = "REPLENISHABLE"
    IN_STOCK = "IN_STOCK"


_REASON_RANK = {code: rank for rank, code in enumerate(ReasonCode)}


@dataclass(frozen=True)
class Settings:
    """One version of the merchant's acknowledgement settings (a row of the settings table)."""

    version: int
    auto_acknowledge: bool = True
    accept_regardless_of_inventory: bool = False
    partial_stock_policy: PartialStockPolicy = "reject"
    safety_stock: int = 0

    def __post_init__(self) -> None:
        if self.partial_stock_policy not in _PARTIAL_STOCK_POLICIES:
            raise ValueError(f"partial_stock_policy must be one of {_PARTIAL_STOCK_POLICIES}")
        if self.safety_stock < 0:
            raise ValueError("safety_stock must be >= 0")


@dataclass(frozen=True)
class OrderLine:
    """One order line; ``quantity`` is the units to decide (ordered minus units already cancelled)."""

    line_id: str
    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ValueError(f"line {self.line_id}: quantity must be >= 0")


@dataclass(frozen=True)
class Order:
    """An order ready to be decided, shipped from one fulfillment node."""

    order_id: str
    node: str
    ready_at: datetime
    lines: tuple[OrderLine, ...]

    def __post_init__(self) -> None:
        # A list would make decisions compare unequal to the same order built from a tuple.
        object.__setattr__(self, "lines", tuple(self.lines))
        # Naive datetimes cannot be compared with aware ones; refuse them here rather
        # than fail (or silently misorder) while sorting a batch.
        if self.ready_at.tzinfo is None or self.ready_at.utcoffset() is None:
            raise ValueError(f"order {self.order_id}: ready_at must be timezone-aware")
        if not self.lines:
            raise ValueError(f"order {self.order_id}: an order has at least one line")
        line_ids = [line.line_id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise ValueError(f"order {self.order_id}: duplicate line ids")


@dataclass(frozen=True)
class Product:
    """A catalog entry. A SKU absent from the catalog is unknown."""

    sku: str
    replenishable: bool = False
    archived: bool = False


@dataclass(frozen=True)
class StockLevel:
    """Stock of one SKU at one node.

    ``on_hand`` is the units counted at a moment (the stock file's time).
    ``promised`` is the units already promised and not yet shipped or cancelled: those on
    acknowledged orders and, until approved or cancelled, those reserved by held orders.
    ``shipped_since_count`` is the units shipped after the count: gone from the shelf,
    though still in ``on_hand``.
    ``safety_stock`` overrides :attr:`Settings.safety_stock` for this SKU when not None.
    """

    sku: str
    node: str
    on_hand: int
    promised: int = 0
    safety_stock: int | None = None
    shipped_since_count: int = 0

    def __post_init__(self) -> None:
        # A negative on_hand or promised only floors availability at 0; a negative
        # shipment count would add stock that was never there.
        if self.shipped_since_count < 0:
            raise ValueError(f"stock of {self.sku} at {self.node}: shipped_since_count must be >= 0")

    def available(self, settings: Settings) -> int:
        """Units that new orders may claim; never below 0."""
        safety = settings.safety_stock if self.safety_stock is None else self.safety_stock
        return max(0, self.on_hand - self.promised - self.shipped_since_count - safety)


@dataclass(frozen=True)
class LineDecision:
    """The decision for one line. ``reserved`` is the units taken from available stock."""

    line_id: str
    sku: str
    quantity: int
    status: LineStatus
    reason: ReasonCode
    reserved: int

    @property
    def units_to_cancel(self) -> int:
        """Units of an accepted line to cancel (partial accepts only): jet_fulfillment sends
        the cancel-only shipment once Jet has the acknowledgement.

        Replenishable and accept-regardless lines also reserve less than their quantity,
        but their missing units are sourced, not cancelled.
        """
        return self.quantity - self.reserved if self.reason is ReasonCode.PARTIAL_STOCK else 0


@dataclass(frozen=True)
class Decision:
    """The decision for one order: outcome, per-line statuses, reasons, and provenance."""

    order_id: str
    outcome: Outcome
    lines: tuple[LineDecision, ...]
    reasons: tuple[ReasonCode, ...]
    settings_version: int
    rules_version: str = RULES_VERSION

    @property
    def reserved(self) -> int:
        """Total units this decision takes from available stock."""
        return sum(line.reserved for line in self.lines)


@dataclass(frozen=True)
class DecisionBatch:
    """Decisions in the order they were made (oldest order first) and what stock is left.

    ``remaining`` maps every ``(sku, node)`` of the stock snapshot to the units still
    available after this batch's reservations (read-only).
    """

    decisions: tuple[Decision, ...]
    remaining: Mapping[StockKey, int]


def decide(
    orders: Sequence[Order],
    products: Mapping[str, Product],
    stock: Mapping[StockKey, StockLevel],
    settings: Settings,
) -> list[Decision]:
    """Decide every order, oldest first; exactly one decision per order.

    See :func:`decide_batch` for the remaining-stock snapshot.
    """
    return list(decide_batch(orders, products, stock, settings).decisions)


def decide_batch(
    orders: Sequence[Order],
    products: Mapping[str, Product],
    stock: Mapping[StockKey, StockLevel],
    settings: Settings,
) -> DecisionBatch:
    """Decide every order, oldest first, and return the decisions with the stock left.

    ``products`` is keyed by SKU and ``stock`` by ``(sku, node)``. Raises ValueError on
    inconsistent input (duplicate order ids, keys that do not match their values)
    rather than guess: a wrong decision is sent to the marketplace and cannot be undone.
    """
    _check_inputs(orders, products, stock)
    pool: dict[StockKey, int] = {key: stock[key].available(settings) for key in sorted(stock)}
    decisions: list[Decision] = []
    for order in sorted(orders, key=lambda o: (o.ready_at, o.order_id)):
        decision = _decide_order(order, products, pool, settings)
        for line in decision.lines:
            if line.reserved:
                pool[(line.sku, order.node)] -= line.reserved
        decisions.append(decision)
    remaining = {key: pool[key] for key in sorted(stock)}
    return DecisionBatch(decisions=tuple(decisions), remaining=MappingProxyType(remaining))


def _check_inputs(
    orders: Sequence[Order],
    products: Mapping[str, Product],
    stock: Mapping[StockKey, StockLevel],
) -> None:
    seen: set[str] = set()
    for order in orders:
        if order.order_id in seen:
            raise ValueError(f"order {order.order_id} appears twice in one batch")
        seen.add(order.order_id)
    for sku, product in products.items():
        if sku != product.sku:
            raise ValueError(f"products[{sku!r}] holds SKU {product.sku!r}")
    for key, level in stock.items():
        if key != (level.sku, level.node):
            raise ValueError(f"stock[{key!r}] holds {(level.sku, level.node)!r}")


def _decide_order(
    order: Order,
    products: Mapping[str, Product],
    pool: Mapping[StockKey, int],
    settings: Settings,
) -> Decision:
    """Decide one order against the current pool (not modified: the caller commits)."""
    left = _units_left(order, products, pool)
    taken, covered = _take_whole_lines(order, left)
    lines = _judge_lines(order, products, covered)
    outcome = _outcome(order, settings, lines, covered, left)
    if outcome is Outcome.ACKNOWLEDGE:
        _take_what_is_left(order, covered, left, taken)
    else:
        taken = [0] * len(order.lines)

    order_reasons = set(lines.reasons) | lines.causes
    if not settings.auto_acknowledge:
        # Nothing is sent, but the would-be reservation stands (see module docstring).
        outcome = Outcome.HOLD
        order_reasons.add(ReasonCode.AUTO_ACK_OFF)
    if len(order_reasons) > 1:
        order_reasons.discard(ReasonCode.IN_STOCK)  # noise next to the reasons that matter

    return Decision(
        order_id=order.order_id,
        outcome=outcome,
        lines=tuple(
            LineDecision(
                line_id=line.line_id,
                sku=line.sku,
                quantity=line.quantity,
                status=lines.statuses[i],
                reason=lines.reasons[i],
                reserved=taken[i],
            )
            for i, line in enumerate(order.lines)
        ),
        reasons=tuple(sorted(order_reasons, key=_REASON_RANK.__getitem__)),
        settings_version=settings.version,
    )


@dataclass
class _LineVerdicts:
    """Per line of the order being decided: its status and reason (by line index), the
    causes of the lines short of stock (kept even when a setting accepts them), and the
    indexes of those short lines."""

    statuses: list[LineStatus] = field(default_factory=list)
    reasons: list[ReasonCode] = field(default_factory=list)
    causes: set[ReasonCode] = field(default_factory=set)
    short: list[int] = field(default_factory=list)

    def add(self, status: LineStatus, reason: ReasonCode) -> None:
        self.statuses.append(status)
        self.reasons.append(reason)


def _units_left(order: Order, products: Mapping[str, Product], pool: Mapping[StockKey, int]) -> dict[str, int]:
    """Units still available to this order, per known SKU at its node; archived SKUs have none."""
    left: dict[str, int] = {}
    for line in order.lines:
        product = products.get(line.sku)
        if product is not None and line.sku not in left:
            left[line.sku] = 0 if product.archived else pool.get((line.sku, order.node), 0)
    return left


def _take_whole_lines(order: Order, left: dict[str, int]) -> tuple[list[int], list[bool]]:
    """Pass 1: whole lines, first fit, in line order; ``left`` loses what they take.

    Returns the units each line took and whether it was covered in full.
    """
    taken = [0] * len(order.lines)
    covered = [False] * len(order.lines)
    for i, line in enumerate(order.lines):
        if line.sku in left and line.quantity <= left[line.sku]:
            left[line.sku] -= line.quantity
            taken[i] = line.quantity
            covered[i] = True
    return taken, covered


def _judge_lines(order: Order, products: Mapping[str, Product], covered: list[bool]) -> _LineVerdicts:
    """Each line's status and reason from stock alone, before any setting accepts a short line."""
    verdicts = _LineVerdicts()
    for i, line in enumerate(order.lines):
        product = products.get(line.sku)
        if product is None:
            verdicts.add(LineStatus.UNKNOWN_SKU, ReasonCode.UNKNOWN_SKU)
        elif covered[i]:
            verdicts.add(LineStatus.FULFILLABLE, ReasonCode.IN_STOCK)
        elif product.replenishable and not product.archived:
            verdicts.add(LineStatus.FULFILLABLE, ReasonCode.REPLENISHABLE)
        else:
            cause = ReasonCode.ARCHIVED_SKU if product.archived else ReasonCode.NO_INVENTORY
            verdicts.add(LineStatus.NO_INVENTORY, cause)
            verdicts.causes.add(cause)
            verdicts.short.append(i)
    return verdicts


def _outcome(
    order: Order, settings: Settings, lines: _LineVerdicts, covered: list[bool], left: Mapping[str, int]
) -> Outcome:
    """The order's outcome by the rules table (before ``auto_acknowledge``).

    A setting that accepts the short lines turns them ``fulfillable`` with its reason.
    """
    if LineStatus.UNKNOWN_SKU in lines.statuses:
        return Outcome.CANCEL
    if not lines.short:
        return Outcome.ACKNOWLEDGE
    accepted_as: ReasonCode | None = None
    if settings.accept_regardless_of_inventory:
        accepted_as = ReasonCode.ACCEPT_REGARDLESS
    elif settings.partial_stock_policy == "accept_available" and _can_supply_something(
        order, covered, lines.reasons, lines.short, left
    ):
        accepted_as = ReasonCode.PARTIAL_STOCK
    if accepted_as is not None:
        for i in lines.short:
            lines.statuses[i], lines.reasons[i] = LineStatus.FULFILLABLE, accepted_as
        return Outcome.ACKNOWLEDGE
    return Outcome.CANCEL if len(order.lines) == 1 else Outcome.REJECT


def _take_what_is_left(order: Order, covered: list[bool], left: dict[str, int], taken: list[int]) -> None:
    """Pass 2, for an acknowledged order: lines accepted without full stock take whatever
    units are left, so stock counts stay true and later orders see them gone."""
    for i, line in enumerate(order.lines):
        if not covered[i] and line.sku in left:
            extra = min(line.quantity, left[line.sku])
            left[line.sku] -= extra
            taken[i] = extra


def _can_supply_something(
    order: Order,
    covered: list[bool],
    reasons: list[ReasonCode],
    short: list[int],
    left: Mapping[str, int],
) -> bool:
    """Whether a partial accept would ship at least one unit (else it is a refusal)."""
    if any(covered[i] and line.quantity > 0 for i, line in enumerate(order.lines)):
        return True
    if ReasonCode.REPLENISHABLE in reasons:
        return True
    return any(left.get(order.lines[i].sku, 0) > 0 for i in short)
