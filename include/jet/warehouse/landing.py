"""What every landing of Jet data shares: bad data never stops the good.

Orders, returns, refunds and settlements land through the same rules:

* a body the warehouse cannot hold as text (a NUL byte, bytes that are not UTF-8) is kept
  byte for byte beside a readable rendering (:func:`storable_body`);
* when the database still refuses a record that passed validation, only that record is
  set aside: :data:`RECORD_ERRORS` are the errors that are the record's own fault (bad
  data), as opposed to the connection's, a lock's or our code's, which fail the task;
  :func:`database_reason` turns one into the quarantine's field and reason;
* a record Jet would not serve is recorded in ``jet.unreadable`` (:func:`record_unreadable`)
  instead of failing the run, until a later run reads it (:func:`record_read_again`);
* concurrent landings of the same data take turns (:func:`take_turn`): a lock on the
  landing's own table with a bounded wait, which a read-only role cannot take, and a
  timeout that names who holds it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import psycopg
from psycopg import errors, sql

from jet.api.errors import JetHttpError, JetRequestRejected, JetRetriesExhausted, PayloadError
from jet.sql import read_sql
from jet.warehouse.locks import Holder, LockHeld, timeout_setting

if TYPE_CHECKING:
    from pydantic import BaseModel

    M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)

#: Seconds a landing waits for another landing of the same data before it gives up.
LANDING_LOCK_TIMEOUT = 120.0
#: Consecutive records Jet would not serve (none of them known to fail already) that mean
#: Jet itself is failing: the landing stops instead of spending every record's retries on
#: an outage, after landing what it has.
OUTAGE_AFTER = 16

#: Errors caused by the content of one record: the record is quarantined with the
#: database's reason and the others commit. Anything else (connection lost, lock timeout,
#: serialization failure, a bug such as a syntax error) is not the record's fault and fails.
RECORD_ERRORS: tuple[type[BaseException], ...] = (
    psycopg.DataError,  # out of range, NUL in text, bad JSON for jsonb, ...
    psycopg.IntegrityError,  # unique, check, not-null constraints
    errors.CardinalityViolation,  # one upsert touching the same row twice
    UnicodeEncodeError,  # a lone surrogate cannot be sent to the server at all
)


#: Read failures that make one record unreadable rather than failing the run: retries
#: exhausted, or a refusal (4xx). Catch JetNotFound first: a 404 means the record is gone
#: at Jet, which each landing records its own way. An authentication failure is not here:
#: it would fail every record, so it fails the run.
UNREADABLE_ERRORS: tuple[type[JetHttpError], ...] = (JetRetriesExhausted, JetRequestRejected)


class LandingBusy(LockHeld):
    """Another session held the landing's table lock for longer than the bounded wait
    (a :class:`~jet.warehouse.locks.LockHeld`: the message names who holds it)."""


class JetUnavailable(RuntimeError):
    """Jet failed too many reads in a row: an outage, not one bad record."""


class OutageWatch:
    """Tells one record Jet will not serve (recorded, the others flow on) from an outage:
    :data:`OUTAGE_AFTER` failures in a row of records not already known to fail."""

    def __init__(self, known_unreadable: set[str], what: str) -> None:
        self.known = known_unreadable
        self.what = what
        self.streak = 0
        self.last: str | None = None
        self.tripped = False

    def saw(self, object_id: str, failure: Exception | None) -> bool:
        """Record one read; True once the landing must stop reading."""
        if failure is None:
            self.streak = 0
        elif object_id not in self.known:
            self.streak += 1
            self.last = str(failure).splitlines()[0]
            self.tripped = self.tripped or self.streak >= OUTAGE_AFTER
        return self.tripped

    def check(self, done: str) -> None:
        """Raise :class:`JetUnavailable` (after the caller landed what it had) if tripped."""
        if self.tripped:
            raise JetUnavailable(
                f"Jet failed {OUTAGE_AFTER} {self.what} reads in a row, last: {self.last}. Stopped; {done}; "
                "the next run reads the rest."
            )


def known_unreadable(conn: psycopg.Connection, kind: str, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the latest attempts could not read (they are read last, and do not
    count toward an outage)."""
    if not ids:
        return set()
    rows = conn.execute(read_sql("warehouse_known_unreadable.sql"), {"kind": kind, "ids": list(ids)}).fetchall()
    return {r[0] for r in rows}


def quarantine(
    cur: psycopg.Cursor,
    kind: str,
    object_id: str,
    raw: bytes | str,
    error: str,
    error_field: str | None,
    observed_at: datetime,
    batch_key: str,
) -> None:
    """Keep one invalid body with its reason (kind ``return``, ``refund``, ``settlement_report``...);
    seeing the same body again only moves its last-seen stamp forward."""
    text, exact = storable_body(raw)
    cur.execute(
        read_sql("warehouse_quarantine.sql"),
        {
            "kind": kind,
            "object_id": object_id,
            "raw_hash": hashlib.sha256(exact_bytes(raw)).hexdigest(),
            "raw_body": text,
            "raw_bytes": exact,
            "error": error,
            "error_field": error_field,
            "observed_at": observed_at,
            "batch_key": batch_key,
        },
    )
    log.error("%s %s quarantined: %s", kind, object_id, error)


def storable_body(raw: bytes | str) -> tuple[str, bytes | None]:
    """``(text, exact)``: the body as text, and its exact bytes when text cannot hold them.

    PostgreSQL text holds any UTF-8 without NUL. Anything else (a NUL byte, bytes that are
    not UTF-8, a string with lone surrogates) is rendered readable, with U+FFFD where the
    body could not be decoded, and the exact bytes are returned to be kept beside it.
    """
    data = raw if isinstance(raw, bytes) else _encode_exactly(raw)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace").replace("\x00", "\ufffd"), data
    if "\x00" in text:
        return text.replace("\x00", "\ufffd"), data
    return text, None


def exact_bytes(raw: bytes | str) -> bytes:
    """The body as bytes, exactly (a str from a lenient decode is re-encoded as it came)."""
    return raw if isinstance(raw, bytes) else _encode_exactly(raw)


def _encode_exactly(text: str) -> bytes:
    try:
        return text.encode("utf-8", errors="surrogateescape")  # undoes a surrogateescape decode
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogatepass")  # a lone surrogate from a JSON escape


def database_reason(exc: BaseException, what: str) -> tuple[str, str]:
    """``(error_field, error)`` for a record the database refused: where PostgreSQL says
    it failed (``schema.table.column``, or the table, else ``$``) and its message with
    detail, e.g. ``jet.order_items.quantity: the warehouse refused order X: value ... is
    out of range for type integer [SQLSTATE 22003]``."""
    if isinstance(exc, UnicodeEncodeError):
        bad = exc.object[exc.start : exc.end]
        return "$", f"$: {what} holds text that is not valid Unicode ({ascii(bad)[1:-1]}): {exc.reason}"
    diag = getattr(exc, "diag", None)
    if diag is None:
        return "$", f"$: the warehouse refused {what}: {exc}"
    where = [p for p in (diag.schema_name, diag.table_name) if p]
    field = ".".join([*where, diag.column_name]) if where and diag.column_name else ".".join(where) or "$"
    parts = [f"{field}: the warehouse refused {what}: {diag.message_primary or str(exc).splitlines()[0]}"]
    if diag.message_detail:
        parts.append(diag.message_detail)
    if diag.context and field == "$":
        parts.append(diag.context.splitlines()[0])
    return field, "; ".join(parts) + (f" [SQLSTATE {diag.sqlstate}]" if diag.sqlstate else "")


def take_turn(cur: psycopg.Cursor, table: str, timeout: float | None = None) -> None:
    """Wait (at most ``timeout`` seconds, default :data:`LANDING_LOCK_TIMEOUT`) until no
    other landing writes ``table``, and keep others out until this transaction ends.

    SHARE ROW EXCLUSIVE conflicts with itself and with writers, not with readers: two
    landings of the same data take turns instead of colliding on a primary key, while
    analysts and the console keep reading. Only a role allowed to write the table can take
    it, so the read-only analysts' role cannot stall a landing.
    """
    wait = timedelta(seconds=LANDING_LOCK_TIMEOUT if timeout is None else timeout)
    previous = cur.execute("SELECT current_setting('lock_timeout')").fetchone()[0]  # type: ignore[index]
    cur.execute("SELECT set_config('lock_timeout', %s, true)", (timeout_setting(wait),))
    try:
        cur.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(sql.Identifier(*table.split("."))))
    except errors.LockNotAvailable as exc:
        holders, unknown = _holders(cur.connection, table)
        hint = (
            "Another landing of the same data, or a session writing the table; the lock is"
            " released when that transaction ends."
        )
        raise LandingBusy(f"the landing lock on {table}", wait, holders, hint + unknown) from exc
    cur.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))  # the landing's own statements as usual


def _holders(conn: psycopg.Connection, table: str) -> tuple[list[Holder], str]:
    """Who holds locks on ``table``, read on a fresh connection (ours is in a failed
    transaction); with a note when that could not be read (the wait's error still stands)."""
    try:
        with psycopg.connect(conn.info.dsn, autocommit=True, connect_timeout=5) as probe:
            rows = probe.execute(read_sql("warehouse_landing_lock_holders.sql"), {"table": table}).fetchall()
    except psycopg.Error as exc:
        return [], f" (Could not tell who holds it: {str(exc).splitlines()[0]}.)"
    return [Holder(*row) for row in rows], ""


def record_unreadable(
    cur: psycopg.Cursor,
    kind: str,
    failures: Sequence[tuple[str, Exception]],
    observed_at: datetime,
    batch_key: str,
) -> None:
    """Record records Jet would not serve (``(object_id, error)``, the error's HTTP status
    kept when it has one); counts each run once."""
    if not failures:
        return
    rows = [(oid, str(exc).splitlines()[0][:2000], getattr(exc, "status", None)) for oid, exc in failures]
    cur.execute(
        read_sql("warehouse_unreadable_record.sql"),
        {
            "kind": kind,
            "ids": [r[0] for r in rows],
            "errors": [r[1] for r in rows],
            "statuses": [r[2] for r in rows],
            "at": observed_at,
            "batch_key": batch_key,
        },
    )
    for oid, error, _ in rows:
        log.error("%s %s could not be read from Jet (recorded in jet.unreadable): %s", kind, oid, error)


def record_read_again(cur: psycopg.Cursor, kind: str, ids: Sequence[str], observed_at: datetime) -> None:
    """Mark records of ``kind`` that this run read as readable again (no-op for others)."""
    if ids:
        params = {"kind": kind, "ids": list(ids), "at": observed_at}
        cur.execute(read_sql("warehouse_unreadable_read_again.sql"), params)


def parse_or_quarantine(
    cur: psycopg.Cursor,
    model: type[M],
    kind: str,
    object_id: str,
    id_field: str,
    raw: bytes,
    observed_at: datetime,
    batch_key: str,
) -> tuple[M | None, str | None]:
    """``(raw validated as model, None)``, or ``(None, reason)`` after quarantining it:
    invalid, or naming another object in ``id_field`` than the one requested (landing it
    would overwrite that other object and lose this one)."""
    from jet.api.models import parse_payload

    try:
        parsed = parse_payload(model, raw)
        named, what = getattr(parsed, id_field), kind.replace("_", " ")
        if named != object_id:
            raise PayloadError(
                id_field, f"the payload is {what} {named!r}, not the {what} requested ({object_id!r})", raw
            )
    except PayloadError as exc:
        quarantine(cur, kind, object_id, raw, exc.describe(), exc.field_path, observed_at, batch_key)
        return None, exc.describe()
    return parsed, None


T = TypeVar("T")


def land_or_quarantine(
    conn: psycopg.Connection,
    cur: psycopg.Cursor,
    work: Callable[[], T],
    *,
    kind: str,
    object_id: str,
    raw: bytes,
    observed_at: datetime,
    batch_key: str,
) -> tuple[T | None, str | None]:
    """Run ``work`` (one record's writes) in a savepoint: ``(its result, None)``, or
    ``(None, reason)`` after quarantining the record with the database's reason when the
    database refused it (:data:`RECORD_ERRORS`); the enclosing transaction goes on."""
    try:
        with conn.transaction():
            return work(), None
    except RECORD_ERRORS as exc:
        error_field, error = database_reason(exc, f"{kind.replace('_', ' ')} {object_id}")
        quarantine(cur, kind, object_id, raw, error, error_field, observed_at, batch_key)
        return None, error
