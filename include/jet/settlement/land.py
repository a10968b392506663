"""Land settlement reports (raw + typed) and their detail files (raw + lines + quarantine)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jet.api.errors import PayloadError
from jet.api.models import SettlementReport, parse_payload
from jet.orders.load import copy_rows
from jet.settlement.details import LINE_COLUMNS, ParsedDetails
from jet.settlement.window import is_final
from jet.sql import read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

_QUARANTINE_COLUMNS = (
    "kind", "object_id", "raw_hash", "raw_body", "error", "error_field",
    "first_seen_at", "last_seen_at", "first_batch_key", "last_batch_key",
)  # fmt: skip
_ORDER_DETAILS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_revenue",
    "shipping_tax", "shipping_charge", "fulfillment_fee", "product_cost",
)  # fmt: skip
_RETURN_DETAILS = (
    "merchant_price", "jet_variable_commission", "fixed_commission", "tax", "shipping_tax",
    "merchant_return_charge", "return_processing_fee", "product_cost",
)  # fmt: skip


@dataclass(frozen=True)
class LandedReport:
    """A report as landed; ``report`` is None when the body failed validation."""

    settlement_report_id: str
    report: SettlementReport | None
    error: str | None = None


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def report_params(report: SettlementReport) -> dict[str, Any]:
    """Bound parameters of settlement_report_upsert.sql for a parsed report."""
    params: dict[str, Any] = {
        "settlement_report_id": report.settlement_report_id,
        "settlement_state": report.settlement_state,
        "is_final": is_final(report.settlement_state),
        "currency": report.currency,
        "unavailable_balance": report.unavailable_balance,
        "period_start": report.settlement_period_start,
        "period_end": report.settlement_period_end,
        "order_balance": report.order_balance,
        "return_balance": report.return_balance,
        "jet_adjustment": report.jet_adjustment,
        "settlement_value": report.settlement_value,
    }
    for key in _ORDER_DETAILS:
        details = report.order_balance_details
        params[f"order_{key}"] = getattr(details, key) if details else None
    for key in _RETURN_DETAILS:
        details = report.return_balance_details
        params[f"return_{key}"] = getattr(details, key) if details else None
    return params


def land_report(conn: psycopg.Connection, settlement_report_id: str, raw: bytes, run: RunIdentity) -> LandedReport:
    """Land one report body: raw version + typed row, or quarantine (kind settlement_report).

    One transaction. A body that is not a valid report is quarantined with its reason
    and reported back (the caller counts it); nothing raises for bad content.
    """
    stamps = {"observed_at": run.observed_at, "run_key": run.run_key}
    try:
        report = parse_payload(SettlementReport, raw)
        if report.settlement_report_id != settlement_report_id:
            raise PayloadError(
                "settlement_report_id",
                f"{report.settlement_report_id!r} is not the report requested ({settlement_report_id})",
                raw,
            )
    except PayloadError as exc:
        with conn.transaction():
            conn.execute(
                read_sql("settlement_quarantine_report.sql"),
                {
                    "object_id": settlement_report_id,
                    "raw_hash": _sha256(raw),
                    "raw_body": raw.decode("utf-8", errors="replace"),
                    "error": exc.describe(),
                    "error_field": exc.field_path,
                    **stamps,
                },
            )
        return LandedReport(settlement_report_id, None, exc.describe())
    # The body goes to JSONB as served: jsonb keeps numbers as exact numerics.
    payload = raw.decode("utf-8")
    with conn.transaction():
        conn.execute(
            read_sql("settlement_payload_upsert.sql"),
            {
                "settlement_report_id": settlement_report_id,
                "payload_hash": _sha256(raw),
                "payload": payload,
                **stamps,
            },
        )
        conn.execute(
            read_sql("settlement_report_upsert.sql"),
            {**report_params(report), "payload_hash": _sha256(raw), **stamps},
        )
    return LandedReport(settlement_report_id, report)


@dataclass(frozen=True)
class DetailFile:
    """One downloaded SettlementDetails file, parsed."""

    parsed: ParsedDetails
    body: str
    bulk_report_id: str | None = None


def _line_rows(parsed: ParsedDetails, run: RunIdentity) -> Any:
    for line in parsed.lines:
        line = {**line, "file_hash": parsed.file_hash, "landed_at": run.observed_at, "run_key": run.run_key}
        yield tuple(line[c] for c in LINE_COLUMNS)


def _quarantine_rows(parsed: ParsedDetails, run: RunIdentity) -> Any:
    for bad in parsed.bad:
        raw_hash = hashlib.sha256(bad.raw.encode()).hexdigest()
        object_id = f"{parsed.settlement_report_id}#{bad.line_no if bad.line_no else 'file'}"
        yield (
            "settlement_line", object_id, raw_hash, bad.raw, bad.error, bad.field,
            run.observed_at, run.observed_at, run.run_key, run.run_key,
        )  # fmt: skip


def land_details(conn: psycopg.Connection, files: Sequence[DetailFile], run: RunIdentity) -> dict[str, int]:
    """Land detail files in one transaction: raw file, valid lines (COPY + upsert), bad rows quarantined.

    The newest file of a settlement replaces its lines; re-landing the same file changes
    nothing. Returns counts for the run's receipt.
    """
    ids = [f.parsed.settlement_report_id for f in files]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(read_sql("settlement_lines_stage.sql"))
        for f in files:
            cur.execute(
                read_sql("settlement_file_upsert.sql"),
                {
                    "settlement_report_id": f.parsed.settlement_report_id,
                    "file_hash": f.parsed.file_hash,
                    "body": f.body,
                    "data_rows": f.parsed.data_rows,
                    "bad_rows": len(f.parsed.bad),
                    "bulk_report_id": f.bulk_report_id,
                    "observed_at": run.observed_at,
                    "run_key": run.run_key,
                },
            )
            copy_rows(cur, "stage_settlement_lines", LINE_COLUMNS, _line_rows(f.parsed, run))
            copy_rows(cur, "stage_settlement_quarantine", _QUARANTINE_COLUMNS, _quarantine_rows(f.parsed, run))
        # Statistics for the staged rows, so the prune's anti-join is planned as a hash
        # join rather than a nested loop over an unanalyzed temp table.
        cur.execute("ANALYZE stage_settlement_lines")
        cur.execute(read_sql("settlement_lines_merge.sql"))
        cur.execute(read_sql("settlement_lines_prune.sql"), {"ids": ids})
        cur.execute(read_sql("settlement_quarantine_merge.sql"))
    return {
        "files": len(files),
        "lines": sum(len(f.parsed.lines) for f in files),
        "quarantined_lines": sum(len(f.parsed.bad) for f in files),
    }
