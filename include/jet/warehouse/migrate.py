"""Versioned SQL migrations for the warehouse.

Files ``migrations/NNNN_name.sql`` are applied in version order, each in its own
transaction, and recorded in ``jetflow_admin.schema_migrations`` with a checksum.
A session-level advisory lock serialises concurrent runners (two ``make`` runs, a
DAG and a test), so every migration is applied exactly once. Editing a migration
that is already applied is refused: write a new one instead.

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
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


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
            done = dict(conn.execute("SELECT version, checksum FROM jetflow_admin.schema_migrations").fetchall())
            for m in migrations:
                if m.version in done:
                    if done[m.version] != m.checksum:
                        raise MigrationError(
                            f"migration {m.path.name} was edited after it was applied; add a new migration instead"
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
