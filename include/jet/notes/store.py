"""The note book: append a note (system or a person's), read an order's notes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from jet import limits
from jet.failures import PermanentError
from jet.orders.known import is_known
from jet.sql import one, read_sql

if TYPE_CHECKING:
    import psycopg

    from jet.runs import RunIdentity

MAX_NOTE_LENGTH = limits.NOTE_MAX


class NoteRefused(PermanentError, ValueError):
    """The note cannot be written (unknown order, empty text); the message says why."""


@dataclass(frozen=True)
class Note:
    note_id: int
    noted_at: datetime
    author: str
    kind: str
    body: str
    source: str | None
    actor: str | None = None


def add_note(
    conn: psycopg.Connection,
    merchant_order_id: str,
    author: str,
    body: str,
    noted_at: datetime,
    *,
    kind: str = "system",
    source: str | None = None,
    dedupe_key: str | None = None,
    actor: str | None = None,
) -> int:
    """Append a note and return its id. With ``dedupe_key``, writing it again is a no-op
    that returns the first note's id (a retried task writes one note). ``actor``
    defaults to the session's (see :func:`jet.warehouse.db.connect`)."""
    row = conn.execute(
        read_sql("notes_add.sql"),
        {
            "merchant_order_id": merchant_order_id,
            "author": author,
            "body": body,
            "noted_at": noted_at,
            "kind": kind,
            "source": source,
            "dedupe_key": dedupe_key,
            "actor": actor,
        },
    ).fetchone()
    return int(one(row, "notes_add.sql")[0])


def add_user_note(conn: psycopg.Connection, run: RunIdentity, merchant_order_id: str, author: str, text: str) -> int:
    """A person's note, stamped with the run's logical time; one note per DAG run.

    The author is the Airflow user who triggered the run whenever Airflow knows one
    (``run.actor``): a typed name cannot claim someone else's note. ``author`` is the
    fallback for runs with no user (``airflow dags test``, scripts).
    """
    author, text = (run.actor or author).strip(), text.strip()
    if not author:
        raise NoteRefused("a note needs an author")
    if not text:
        raise NoteRefused("a note needs some text")
    if len(text) > MAX_NOTE_LENGTH:
        raise NoteRefused(f"a note holds at most {MAX_NOTE_LENGTH} characters, this one has {len(text)}")
    for name, value, max_length, multiline in (
        ("author", author, limits.AUTHOR_MAX, False),
        ("text", text, MAX_NOTE_LENGTH, True),
    ):
        problem = limits.text_problem(value, max_length, multiline=multiline)
        if problem:
            raise NoteRefused(f"the note's {name} {problem}")
    if not is_known(conn, merchant_order_id):
        raise NoteRefused(
            f"order {merchant_order_id} is not in the warehouse; import it first with the jet_import_order DAG"
        )
    return add_note(
        conn,
        merchant_order_id,
        author,
        text,
        run.observed_at,
        kind="user",
        source=run.run_key,
        dedupe_key=f"user:{run.run_key}",
        actor=run.actor,
    )


def history(conn: psycopg.Connection, merchant_order_id: str) -> list[Note]:
    """The order's whole story in time order (``jet.order_history``): Jet's events, ours, people's notes."""
    rows = conn.execute(read_sql("notes_history.sql"), {"merchant_order_id": merchant_order_id}).fetchall()
    return [Note(*row) for row in rows]
