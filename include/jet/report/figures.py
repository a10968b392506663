"""The report's figures, read from the warehouse with the SQL in ``jet/sql/report_*.sql``.

Every amount stays ``Decimal`` here (numeric from PostgreSQL); only the charts turn
numbers into floats, at the plotting boundary. Amounts are USD signed as money moves
(revenue positive; fees and refunds negative); cost of goods is a positive cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

#: The longest period a report covers (two years of daily charts stay readable).
MAX_PERIOD_DAYS = 731
#: Best and worst SKUs charted, largest estimate misses listed.
TOP_N = 10


@dataclass(frozen=True)
class ReportPeriod:
    """UTC calendar days ``first``..``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"report period starts {self.first} after it ends {self.last}")
        if self.days > MAX_PERIOD_DAYS:
            raise ValueError(f"report period {self.first}..{self.last} is {self.days} days; at most {MAX_PERIOD_DAYS}")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def params(self, **extra: Any) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, **extra}

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def report_period(date_from: str | None, date_to: str | None, *, days: int, last_default: date) -> ReportPeriod:
    """The period a run covers: ``date_from``..``date_to`` (ISO dates) where given.

    A missing ``date_to`` is ``last_default`` (the last day the triggering settlement run
    covered, or the day before a manual run); a missing ``date_from`` reaches ``days``
    days back from the end. Raises ValueError naming what was wrong.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    try:
        last = date.fromisoformat(date_to) if date_to else last_default
        first = date.fromisoformat(date_from) if date_from else last - timedelta(days=days - 1)
    except ValueError as exc:
        raise ValueError(f"report dates must be YYYY-MM-DD: {exc}") from exc
    return ReportPeriod(first, last)


@dataclass(frozen=True)
class Headline:
    """The report's opening figures over a period of settlement days (a function others reuse).

    ``contribution_margin`` = revenue + fees + refunds + adjustments + unallocated − cogs,
    to the cent: the five figures shown, plus what Jet settled that no order explains.
    """

    period: ReportPeriod
    revenue: Decimal
    fees: Decimal
    refunds: Decimal
    cogs: Decimal
    contribution_margin: Decimal
    adjustments: Decimal
    unallocated: Decimal
    net_proceeds: Decimal
    tax_net: Decimal
    units_shipped: int
    units_refunded: int
    orders_settled: int
    units_without_cost: int
    settlements: int
    settlements_reconciled: int

    @property
    def fee_share(self) -> Decimal | None:
        """Fees as a share of revenue (positive), None without revenue."""
        return (-self.fees / self.revenue).quantize(Decimal("0.0001")) if self.revenue else None

    @property
    def margin_share(self) -> Decimal | None:
        return (self.contribution_margin / self.revenue).quantize(Decimal("0.0001")) if self.revenue else None

    def as_receipt(self) -> dict[str, Any]:
        """JSON-safe (amounts as strings, exact) for a run's receipt."""
        out: dict[str, Any] = {"first": self.period.first.isoformat(), "last": self.period.last.isoformat()}
        for name in (
            "revenue", "fees", "refunds", "cogs", "contribution_margin", "adjustments", "unallocated",
            "net_proceeds", "tax_net",
        ):  # fmt: skip
            out[name] = str(getattr(self, name))
        for name in (
            "units_shipped", "units_refunded", "orders_settled", "units_without_cost", "settlements",
            "settlements_reconciled",
        ):  # fmt: skip
            out[name] = getattr(self, name)
        return out


def _rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(read_sql(name), params).fetchall()


def headline(conn: psycopg.Connection, period: ReportPeriod) -> Headline:
    """The headline figures of ``period`` from the warehouse (report_headline.sql)."""
    (row,) = _rows(conn, "report_headline.sql", period.params())
    return Headline(period=period, **row)


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, as read from the warehouse in one snapshot."""

    headline: Headline
    daily: list[dict[str, Any]]
    skus: list[dict[str, Any]]
    drift: list[dict[str, Any]]
    drift_worst: list[dict[str, Any]]
    ack_buckets: list[dict[str, Any]]
    ack_summary: dict[str, Any]
    cancellations: list[dict[str, Any]]
    reconciliation: list[dict[str, Any]]


def collect(conn: psycopg.Connection, period: ReportPeriod) -> ReportData:
    """Read every figure of the report for ``period``, in one REPEATABLE READ transaction.

    One snapshot, so the headline and the charts agree even while a pipeline writes.
    ``conn`` must be an autocommit connection with no transaction open.
    """
    import psycopg as pg

    if not conn.autocommit or conn.info.transaction_status != pg.pq.TransactionStatus.IDLE:
        raise ValueError("collect needs an autocommit connection with no transaction open")
    params = period.params(n=TOP_N)
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return ReportData(
            headline=headline(conn, period),
            daily=_rows(conn, "report_daily.sql", params),
            skus=_rows(conn, "report_sku_margin.sql", params),
            drift=_rows(conn, "report_drift.sql", params),
            drift_worst=_rows(conn, "report_drift_worst.sql", params),
            ack_buckets=_rows(conn, "report_ack_latency.sql", params),
            ack_summary=_rows(conn, "report_ack_summary.sql", params)[0],
            cancellations=_rows(conn, "report_cancellations.sql", params),
            reconciliation=_rows(conn, "report_reconciliation.sql", params),
        )
