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

from jet.warehouse.migrate import (
    LEGACY_CHECKSUMS,
    MIGRATIONS_DIR,
    MigrationError,
    discover,
    migrate,
    normalised_sql,
)

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


def _recorded(db: str) -> dict[int, str]:
    with psycopg.connect(db) as conn:
        return dict(conn.execute("SELECT version, checksum FROM jetflow_admin.schema_migrations").fetchall())


def test_a_comment_edit_is_accepted_but_a_string_edit_is_not(fresh_db: str, tmp_path: Path) -> None:
    path = tmp_path / "0001_a.sql"
    path.write_text("-- why: see a doc outside the repo\nCREATE TABLE t (id int);\nCOMMENT ON TABLE t IS 'one';\n")
    assert migrate(fresh_db, tmp_path) == [1]
    path.write_text(
        "-- why: see docs/architecture.md\n\nCREATE TABLE t (id int);  /* the key */\nCOMMENT ON TABLE t IS 'one';\n"
    )
    assert migrate(fresh_db, tmp_path) == []
    path.write_text("CREATE TABLE t (id int);\nCOMMENT ON TABLE t IS 'one -- two';\n")  # the stored text changes
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(fresh_db, tmp_path)


def test_a_legacy_raw_checksum_is_accepted_and_rewritten(fresh_db: str, tmp_path: Path) -> None:
    path = tmp_path / "0001_a.sql"
    path.write_text("-- a table\nCREATE TABLE t (id int);\n")
    assert migrate(fresh_db, tmp_path) == [1]
    (migration,) = discover(tmp_path)
    with psycopg.connect(fresh_db) as conn:  # as a runner before the normalised checksum recorded it
        conn.execute("UPDATE jetflow_admin.schema_migrations SET checksum = %s", (migration.raw_checksum,))
    assert migrate(fresh_db, tmp_path) == []
    assert _recorded(fresh_db) == {1: migration.checksum}
    path.write_text("-- a table\nCREATE TABLE t (id bigint);\n")
    with pytest.raises(MigrationError, match="edited after it was applied"):
        migrate(fresh_db, tmp_path)


def test_databases_migrated_before_the_comment_edits_stay_valid(fresh_db: str) -> None:
    """0003/0005/0007 had their comments edited after databases recorded their raw checksums."""
    assert migrate(fresh_db) == [m.version for m in discover()]
    by_version = {m.version: m for m in discover()}
    with psycopg.connect(fresh_db) as conn:
        for version, legacy in LEGACY_CHECKSUMS.items():
            ((raw, normalised),) = legacy.items()
            assert normalised == by_version[version].checksum  # only comments changed since
            assert raw != by_version[version].raw_checksum
            conn.execute("UPDATE jetflow_admin.schema_migrations SET checksum = %s WHERE version = %s", (raw, version))
    assert migrate(fresh_db) == []
    assert _recorded(fresh_db) == {v: m.checksum for v, m in by_version.items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1; -- gone\n", "SELECT 1;\n"),
        ("/* a /* nested */ block */SELECT 1;", "SELECT 1;\n"),
        ("SELECT '-- kept', 'it''s /* kept */';", "SELECT '-- kept', 'it''s /* kept */';\n"),
        ("SELECT E'\\' -- kept', 1; -- gone", "SELECT E'\\' -- kept', 1;\n"),
        ('SELECT "a--b" FROM t;', 'SELECT "a--b" FROM t;\n'),
        ("AS $f$ -- kept\nSELECT 1 $f$; -- gone", "AS $f$ -- kept\nSELECT 1 $f$;\n"),
        ("AS $$ /* kept */ $$;\n\n\n  \nSELECT 2;   ", "AS $$ /* kept */ $$;\nSELECT 2;\n"),
    ],
)
def test_normalised_sql_strips_comments_only(text: str, expected: str) -> None:
    assert normalised_sql(text) == expected


def test_unterminated_text_is_refused() -> None:
    for text in ("SELECT 'oops", "/* never closed", "AS $body$ SELECT 1"):
        with pytest.raises(MigrationError, match="unterminated"):
            normalised_sql(text)


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
