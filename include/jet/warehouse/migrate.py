"""Versioned SQL migrations for the warehouse.

Files ``migrations/NNNN_name.sql`` are applied in version order, each in its own
transaction, and recorded in ``jetflow_admin.schema_migrations`` with a checksum.
A session-level advisory lock serialises concurrent runners (two ``make`` runs, a
DAG and a test), so every migration is applied exactly once. Editing a migration
that is already applied is refused: write a new one instead.

The checksum is taken over the SQL with its comments stripped and blank space
normalised (:func:`normalised_sql`), so a comment can be corrected in an applied
migration while any change to what runs is still refused. Databases migrated before
that rule recorded the raw file's SHA-256: a raw checksum that matches the file, or one
listed in :data:`LEGACY_CHECKSUMS` (a file whose comments were edited since), is
accepted and rewritten to the normalised form.

Every wait is bounded (``lock_timeout``): a runner that cannot get the advisory lock,
or a migration that cannot get a table lock (an analyst's long query holds the table),
fails within the bound naming the sessions in the way, instead of stalling, and
instead of queueing an exclusive lock that would stall the pipeline behind it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import psycopg

from jet.warehouse import locks

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same for every runner.
ADVISORY_LOCK_KEY = 7_315_270_001
# A concurrent runner finishes within seconds; an analyst's query holding a table should
# make a migration fail and say so, not wait for it.
LOCK_TIMEOUT = timedelta(seconds=60)
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration file is malformed, or an applied one was edited."""


#: Raw checksums recorded before comments were stripped from the checksum, for the files
#: whose comments changed since: version → {raw SHA-256 of the old file: the normalised
#: checksum of that old file}. A database holding such a raw checksum is accepted only
#: while the file's normalised checksum is still the recorded one (only comments changed).
_LEGACY_ROWS: tuple[tuple[int, str, str], ...] = (
    (
        3,
        "cdd2ef8c34d967d8b67b94c73ad05909a773f07a01b408b33c046f25d7224dab",
        "7ee142d20634904c3f69cb77a8189834547cbf4adbbd30bd9a92f290788780e0",
    ),
    (
        5,
        "7b9a0bb3f3a5fe8683aebb1e1744eb070462d4bc37c2373d4887f5d20a1b9584",
        "61da74b15fe949f22e4a6fb7127fa86a8b2c8f929877d214325939146c0f2e48",
    ),
    (
        7,
        "936255d25027359eb6814f7c2835c0d97c8c75c747a9b57eec20bf394aa10174",
        "b9f5be9162a18c8e48f4db1a31fa252fd4bd5c018db68302c712d635cc5ae4ca",
    ),
)
LEGACY_CHECKSUMS: dict[int, dict[str, str]] = {version: {raw: normalised} for version, raw, normalised in _LEGACY_ROWS}

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def _word_char(text: str, i: int) -> bool:
    return i >= 0 and (text[i].isalnum() or text[i] == "_")


def _block_comment_end(text: str, i: int) -> int:
    """Index just past the ``/* */`` comment opening at ``i`` (they nest in PostgreSQL)."""
    depth, i = 1, i + 2
    while depth:
        opening, closing = text.find("/*", i), text.find("*/", i)
        if closing < 0:
            raise MigrationError("a migration has an unterminated /* comment */")
        if 0 <= opening < closing:
            depth, i = depth + 1, opening + 2
        else:
            depth, i = depth - 1, closing + 2
    return i


def _quoted_end(text: str, i: int) -> int:
    """Index just past the quoted string or identifier opening at ``i``."""
    quote = text[i]
    # E'...' strings take backslash escapes; plain ones only double the quote.
    backslashes = quote == "'" and _word_char(text, i - 1) and text[i - 1] in "eE" and not _word_char(text, i - 2)
    j = i + 1
    while j < len(text):
        if backslashes and text[j] == "\\":
            j += 2
        elif text[j] != quote:
            j += 1
        elif text.startswith(quote * 2, j):
            j += 2
        else:
            return j + 1
    raise MigrationError(f"a migration has an unterminated {quote}quoted{quote} text")


def _dollar_end(text: str, i: int) -> int | None:
    """Index just past the dollar-quoted body opening at ``i``, or None if none opens there."""
    tag = _DOLLAR_TAG.match(text, i)
    if tag is None or _word_char(text, i - 1):
        return None
    close = text.find(tag.group(0), tag.end())
    if close < 0:
        raise MigrationError(f"a migration has an unterminated {tag.group(0)} body")
    return close + len(tag.group(0))


def normalised_sql(text: str) -> str:
    """``text`` without its SQL comments, trailing blanks and blank lines.

    Comments are ``--`` to the end of the line and ``/* */`` (nested, as PostgreSQL
    reads them). Quoted strings (``'...'``, ``E'...'``), quoted identifiers and
    dollar-quoted bodies are kept exactly: the database stores what they hold (a
    function's body, a ``COMMENT ON`` text), so changing it is a change.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        end: int | None
        if text.startswith("--", i):
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if text.startswith("/*", i):
            i = _block_comment_end(text, i)
            continue
        if text[i] in "'\"":
            end = _quoted_end(text, i)
        elif text[i] == "$" and (end := _dollar_end(text, i)) is not None:
            pass
        else:
            end = i + 1
        out.append(text[i:end])
        i = end
    lines = (line.rstrip() for line in "".join(out).splitlines())
    return "\n".join(line for line in lines if line) + "\n"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        """SHA-256 of the normalised SQL: comments and blank space do not count."""
        return hashlib.sha256(normalised_sql(self.sql).encode("utf-8")).hexdigest()

    @property
    def raw_checksum(self) -> str:
        """SHA-256 of the file's bytes: what runners before the normalised checksum recorded."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def accepts(self, recorded: str) -> bool:
        """True when ``recorded`` (a database's checksum of this version) matches this file."""
        if recorded in (self.checksum, self.raw_checksum):
            return True
        return LEGACY_CHECKSUMS.get(self.version, {}).get(recorded) == self.checksum


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migration files in version order; refuses stray names and duplicate versions."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_snake_case.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} is also {found[version].path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


_BOOKKEEPING = """
CREATE SCHEMA IF NOT EXISTS jetflow_admin;
CREATE TABLE IF NOT EXISTS jetflow_admin.schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


def migrate(conninfo: str, directory: Path = MIGRATIONS_DIR, lock_timeout: timedelta = LOCK_TIMEOUT) -> list[int]:
    """Apply every pending migration; return the versions applied by this call."""
    migrations = discover(directory)
    applied_now: list[int] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        locks.advisory(conn, ADVISORY_LOCK_KEY, "the warehouse migrator's lock", timeout=lock_timeout)
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (locks.timeout_setting(lock_timeout),))
        try:
            with conn.transaction():
                conn.execute(_BOOKKEEPING)
            rows = conn.execute("SELECT version, checksum FROM jetflow_admin.schema_migrations").fetchall()
            done: dict[int, str] = {int(version): str(checksum) for version, checksum in rows}
            for m in migrations:
                if m.version in done:
                    if not m.accepts(done[m.version]):
                        raise MigrationError(
                            f"migration {m.path.name} was edited after it was applied; add a new migration instead"
                        )
                    if done[m.version] != m.checksum:  # a legacy raw checksum: record the normalised one
                        conn.execute(
                            "UPDATE jetflow_admin.schema_migrations SET checksum = %s WHERE version = %s",
                            (m.checksum, m.version),
                        )
                    continue
                log.info("applying migration %s", m.path.name)
                try:
                    with conn.transaction():
                        conn.execute(m.sql)
                        conn.execute(
                            "INSERT INTO jetflow_admin.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (m.version, m.name, m.checksum),
                        )
                except psycopg.errors.LockNotAvailable:
                    in_the_way = "; ".join(h.describe() for h in locks.table_lock_holders(conn)) or "none any more"
                    raise MigrationError(
                        f"migration {m.path.name} waited {lock_timeout.total_seconds():g} s for a table lock and was "
                        f"rolled back; sessions holding locks on warehouse tables: {in_the_way}. "
                        "Run it again when they are done (or end them with pg_terminate_backend)."
                    ) from None
                applied_now.append(m.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    return applied_now


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conninfo", help="PostgreSQL URL of the warehouse database")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    applied = migrate(args.conninfo)
    print(f"migrations applied: {applied or 'none (up to date)'}")  # noqa: T201 (CLI output)


if __name__ == "__main__":
    main()
