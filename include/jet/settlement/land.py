"""Land settlement reports (raw + typed) and their detail files (raw + lines + quarantine).

One bad report or row never stops the others: an invalid body is quarantined with its
reason; a report, a file or a row the database refuses is quarantined with the
database's (each report and each file lands in its own savepoint; a refused file is
landed again row by row). Landings take turns, so two runs landing the same settlements
at once both succeed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jet.api.models import SettlementReport
from jet.orders.load import copy_rows
from jet.settlement.details import (
    LINE_COLUMNS,
    ORDER_BALANCE_DETAILS,
    RETURN_BALANCE_DETAILS,
    BadRow,
    ParsedDetails,
    amount_sql,
    raw_rows,
)
from jet.settlement.window import is_final
from jet.sql import read_sql
from jet.warehouse.landing import (
    RECORD_ERRORS,
    database_reason,
    land_or_quarantine,
    parse_or_quarantine,
    storable_body,
    take_turn,
)

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

log = logging.getLogger(__name__)

_QUARANTINE_COLUMNS = (
    "kind", "object_id", "raw_hash", "raw_body", "error", "error_field",
    "first_seen_at", "last_seen_at", "first_batch_key", "last_batch_key", "raw_bytes",
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
    order_details, return_details = report.order_balance_details, report.return_balance_details
    for key in ORDER_BALANCE_DETAILS:
        params[f"order_{key}"] = getattr(order_details, key) if order_details else None
    for key in RETURN_BALANCE_DETAILS:
        params[f"return_{key}"] = getattr(return_details, key) if return_details else None
    return params


def land_report(conn: psycopg.Connection, settlement_report_id: str, raw: bytes, run: RunIdentity) -> LandedReport:
    """Land one report body: raw version + typed row, or quarantine (kind settlement_report).

    One transaction. A body that is not a valid report (or is another report), or that the
    database refuses, is quarantined with its reason and reported back (the caller counts
    it); nothing raises for bad content.
    """
    sid, digest = settlement_report_id, _sha256(raw)
    stamps = {"observed_at": run.observed_at, "run_key": run.run_key}
    with conn.transaction(), conn.cursor() as cur:
        take_turn(cur, "jet.settlement_reports")
        report, invalid = parse_or_quarantine(
            cur, SettlementReport, "settlement_report", sid, "settlement_report_id", raw, **_stamps(run)
        )
        if report is None:
            return LandedReport(sid, None, invalid)

        def write() -> None:
            # The body goes to JSONB as served: jsonb keeps numbers as exact numerics.
            cur.execute(
                read_sql("settlement_payload_upsert.sql"),
                {"settlement_report_id": sid, "payload_hash": digest, "payload": raw.decode("utf-8"), **stamps},
            )
            params = {**report_params(report), "payload_hash": digest, **stamps}
            cur.execute(read_sql("settlement_report_upsert.sql"), params)

        _, refused = land_or_quarantine(
            conn, cur, write, kind="settlement_report", object_id=sid, raw=raw, **_stamps(run)
        )
    return LandedReport(sid, None, refused) if refused else LandedReport(sid, report)


def _stamps(run: RunIdentity) -> dict[str, Any]:
    return {"observed_at": run.observed_at, "batch_key": run.run_key}


@dataclass(frozen=True)
class DetailFile:
    """One downloaded SettlementDetails file, parsed; ``body`` as downloaded (bytes) or as text."""

    parsed: ParsedDetails
    body: bytes | str
    bulk_report_id: str | None = None


def _line_rows(lines: list[dict[str, Any]], file_hash: str, run: RunIdentity) -> Any:
    for line in lines:
        line = {**line, "file_hash": file_hash, "landed_at": run.observed_at, "run_key": run.run_key}
        yield tuple(line[c] for c in LINE_COLUMNS)


def _quarantine_rows(settlement_report_id: str, bad_rows: list[BadRow], run: RunIdentity) -> Any:
    for bad in bad_rows:
        text, exact = storable_body(bad.raw)
        raw_hash = hashlib.sha256(exact if exact is not None else text.encode()).hexdigest()
        object_id = f"{settlement_report_id}#{bad.line_no if bad.line_no else 'file'}"
        yield (
            "settlement_line", object_id, raw_hash, text, bad.error, bad.field,
            run.observed_at, run.observed_at, run.run_key, run.run_key, exact,
        )  # fmt: skip


def land_details(conn: psycopg.Connection, files: Sequence[DetailFile], run: RunIdentity) -> dict[str, int]:
    """Land detail files in one transaction: raw file, valid lines (COPY + upsert), bad rows quarantined.

    The newest file of a settlement replaces its lines; re-landing the same file changes
    nothing. Each file lands in its own savepoint; a file the database refuses is landed
    again row by row, the refused rows quarantined with the database's reason. Returns
    counts for the run's receipt.
    """
    counts = {"files": len(files), "lines": 0, "quarantined_lines": 0, "refused_lines": 0}
    with conn.transaction(), conn.cursor() as cur:
        take_turn(cur, "jet.settlement_detail_files")
        cur.execute(read_sql("settlement_lines_stage.sql"))
        for f in files:
            try:
                with conn.transaction():
                    _land_file(cur, f, f.parsed.lines, f.parsed.bad, run)
                landed, bad = f.parsed.lines, f.parsed.bad
            except RECORD_ERRORS as exc:
                log.warning(
                    "settlement %s: the warehouse refused its detail file (%s); landing it row by row",
                    f.parsed.settlement_report_id,
                    str(exc).splitlines()[0],
                )
                landed, refused = _land_rows_one_by_one(conn, cur, f, run)
                bad = [*f.parsed.bad, *refused]
                counts["refused_lines"] += len(refused)
                with conn.transaction():
                    _land_file(cur, f, landed, bad, run)
            counts["lines"] += len(landed)
            counts["quarantined_lines"] += len(bad)
    return counts


def _land_file(cur: psycopg.Cursor, f: DetailFile, lines: list[dict[str, Any]], bad: list[BadRow], run: Any) -> None:
    """One file: its raw body, its lines (which replace the settlement's), its bad rows."""
    sid = f.parsed.settlement_report_id
    text, exact = storable_body(f.body)
    cur.execute(read_sql("settlement_stage_clear.sql"))
    cur.execute(
        read_sql("settlement_file_upsert.sql"),
        {
            "settlement_report_id": sid,
            "file_hash": f.parsed.file_hash,
            "body": text,
            "body_bytes": exact,
            "data_rows": f.parsed.data_rows,
            "bad_rows": len(bad),
            "bulk_report_id": f.bulk_report_id,
            "observed_at": run.observed_at,
            "run_key": run.run_key,
        },
    )
    copy_rows(cur, "stage_settlement_lines", LINE_COLUMNS, _line_rows(lines, f.parsed.file_hash, run))
    copy_rows(cur, "stage_settlement_quarantine", _QUARANTINE_COLUMNS, _quarantine_rows(sid, bad, run))
    # Statistics for the staged rows, so the prune's anti-join is planned as a hash
    # join rather than a nested loop over an unanalyzed temp table.
    cur.execute("ANALYZE stage_settlement_lines")
    cur.execute(amount_sql("settlement_lines_merge.sql"))
    cur.execute(read_sql("settlement_lines_prune.sql"), {"ids": [sid]})
    cur.execute(read_sql("settlement_quarantine_merge.sql"))


def _land_rows_one_by_one(
    conn: psycopg.Connection, cur: psycopg.Cursor, f: DetailFile, run: Any
) -> tuple[list[dict[str, Any]], list[BadRow]]:
    """Try each line of a refused file in a savepoint: (lines the database takes, refused rows)."""
    raw = raw_rows(f.body)
    good: list[dict[str, Any]] = []
    refused: list[BadRow] = []
    for line in f.parsed.lines:
        try:
            with conn.transaction():
                cur.execute(read_sql("settlement_stage_clear.sql"))
                copy_rows(cur, "stage_settlement_lines", LINE_COLUMNS, _line_rows([line], f.parsed.file_hash, run))
                cur.execute(amount_sql("settlement_lines_merge.sql"))
                raise _TryOnly  # undo: the file lands whole once its refused rows are known
        except _TryOnly:
            good.append(line)
        except RECORD_ERRORS as exc:
            where = f"settlement {f.parsed.settlement_report_id} row {line['line_no']}"
            error_field, error = database_reason(exc, where)
            refused.append(BadRow(line["line_no"], raw.get(line["line_no"], ""), error_field, error))
    return good, refused


class _TryOnly(Exception):  # a control-flow signal, not an error
    """Rolls a trial savepoint back on purpose."""
