"""Warehouse migrations against a real PostgreSQL: order, once-only, concurrency, roles."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from jet.warehouse.migrate import MIGRATIONS_DIR, MigrationError, discover, migrate

pytestmark = pytest.mark.integration


@pytest.fixture
def fresh_db(warehouse_url: str) -> Iterator[str]:
    """An empty database on the test server, dropped afterwards."""
    name = f"jetflow_tmp_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(warehouse_url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_applies_every_migration_once_in_order(fresh_db: str) -> None:
    expected = [m.version for m in discover()]
    assert expected == sorted(expected)
    assert expected[0] == 1
    assert migrate(fresh_db) == expected
    assert migrate(fresh_db) == []  # second run: nothing to do
    with psycopg.connect(fresh_db) as conn:
        rows = conn.execute("SELECT version FROM jetflow_admin.schema_migrations ORDER BY version").fetchall()
        schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}
    assert [r[0] for r in rows] == expected
    assert {"jet", "analytics"} <= schemas


def test_concurrent_runners_apply_each_migration_exactly_once(fresh_db: str) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: migrate(fresh_db), range(4)))
    applied = sorted(v for r in results for v in r)
    assert applied == [m.version for m in discover()], results  # each version by exactly one runner


def test_edited_migration_is_refused(fresh_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("CREATE TABLE t (id int);")
    assert migrate(fresh_db, folder) == [1]
    (folder / "0001_a.sql").write_text("CREATE TABLE t (id bigint);")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(fresh_db, folder)


def test_badly_named_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        discover(tmp_path)


def test_failed_migration_rolls_back_and_is_not_recorded(fresh_db: str, tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE ok (id int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT * FROM no_such_table;")
    with pytest.raises(psycopg.errors.UndefinedTable):
        migrate(fresh_db, tmp_path)
    with psycopg.connect(fresh_db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM jetflow_admin.schema_migrations").fetchall()]
        half = conn.execute("SELECT to_regclass('public.half')").fetchone()[0]
    assert versions == [1]
    assert half is None


def test_analyst_role_reads_but_cannot_write(fresh_db: str) -> None:
    migrate(fresh_db)
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE jet.probe_table (id int)")  # created later: default privileges apply
        conn.execute("INSERT INTO jet.probe_table VALUES (1)")
        conn.execute("CREATE VIEW analytics.probe_view AS SELECT id FROM jet.probe_table")
    with psycopg.connect(fresh_db) as conn:
        conn.execute("SET ROLE jetflow_analyst")
        assert conn.execute("SELECT id FROM analytics.probe_view").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM jet.probe_table").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO jet.probe_table VALUES (2)")
        conn.rollback()
        conn.execute("SET ROLE jetflow_analyst")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE analytics.nope (id int)")


def test_migration_files_are_documented() -> None:
    for m in discover(MIGRATIONS_DIR):
        assert m.sql.lstrip().startswith("--"), f"{m.path.name} should open with a comment saying why"
