"""Scratch warehouses (jet.warehouse.scratch): the one helper the benches, the demo and the
chaos campaign create theirs with."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from jet.warehouse.scratch import scratch_database, scratch_database_at

pytestmark = pytest.mark.integration


@pytest.fixture
def scratch_url(warehouse_url: str) -> Iterator[str]:
    """``<test warehouse>_scratch_check``, dropped afterwards."""
    parts = urlsplit(warehouse_url)
    yield urlunsplit((parts.scheme, parts.netloc, f"{parts.path}_scratch_check", "", ""))
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        name = sql.Identifier(urlsplit(warehouse_url).path.lstrip("/") + "_scratch_check")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def commits_and_marks(url: str) -> tuple[str, int]:
    """Its ``synchronous_commit``, and how many ``public.mark`` tables it holds (0 or 1),
    after checking the migrations ran."""
    with psycopg.connect(url) as conn:
        setting = conn.execute("SHOW synchronous_commit").fetchone()
        migrated = conn.execute("SELECT to_regclass('jet.orders') IS NOT NULL").fetchone()
        marks = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'mark'").fetchone()
    assert setting is not None
    assert migrated is not None
    assert marks is not None
    assert migrated[0], f"{url} is migrated"
    return str(setting[0]), int(marks[0])


def test_a_scratch_warehouse_is_migrated_next_to_the_warehouse_and_fresh_starts_it_over(
    warehouse_url: str, scratch_url: str
) -> None:
    assert scratch_database(warehouse_url, "scratch_check", fresh=True) == scratch_url
    assert commits_and_marks(scratch_url) == ("on", 0)
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.mark (x int)")
    assert commits_and_marks(scratch_database(warehouse_url, "scratch_check")) == ("on", 1), "kept without fresh"
    assert commits_and_marks(scratch_database_at(scratch_url, fresh=True)) == ("on", 0), "dropped with fresh"


def test_a_throwaway_warehouse_commits_without_waiting_for_the_disk_until_made_durable(scratch_url: str) -> None:
    assert commits_and_marks(scratch_database_at(scratch_url, fresh=True, durable=False))[0] == "off"
    assert commits_and_marks(scratch_database_at(scratch_url))[0] == "on"
