"""scripts/bootstrap.py: finding PostgreSQL, or starting one, or saying what to do."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.integration


def _bootstrap_module():
    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "scripts" / "bootstrap.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bootstrap"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_stops_with_instructions_when_no_postgres_anywhere(tmp_path: Path) -> None:
    # A project of its own, as on a fresh clone: this checkout's .env may name a server.
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.py", tmp_path / "scripts" / "bootstrap.py")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    (tmp_path / "include").symlink_to(ROOT / "include")
    env = {k: v for k, v in os.environ.items() if k != "JET_WAREHOUSE_URL"}
    env.update(JET_PG_PORT=str(_free_port()), JET_PG_BINDIR="/nonexistent/bin")
    result = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "bootstrap.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no PostgreSQL server was found" in result.stderr
    assert "apt-get install postgresql" in result.stderr
    assert "JET_WAREHOUSE_URL=postgresql://" in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/lib/postgresql").exists(), reason="needs PostgreSQL server binaries")
def test_starts_a_project_local_cluster_when_none_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    bootstrap = _bootstrap_module()
    base = Path(tempfile.mkdtemp(prefix="jetflow-pg-"))
    base.chmod(0o755)  # the postgres user must reach it when we run as root
    port = _free_port()
    monkeypatch.setattr(bootstrap, "LOCAL_CLUSTER_PORT", port)
    try:
        server = bootstrap.start_local_cluster(base / "pg")
        assert f":{port}" in server.url
        assert bootstrap.ensure_database(server, "jetflow") is True
        assert bootstrap.ensure_database(server, "jetflow") is False  # second run creates nothing
        with psycopg.connect(server.db("jetflow")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        again = bootstrap.start_local_cluster(base / "pg")  # already running: reused
        assert again.url == server.url
    finally:
        bindir = bootstrap._pg_bindir()
        subprocess.run(
            bootstrap._as_postgres_user(
                [str(bindir / "pg_ctl"), "-D", str(base / "pg" / "data"), "-m", "fast", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------- the Fernet key
def _admin() -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ["JET_TEST_WAREHOUSE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))


def _metadata_db_with_a_trigger(name: str, key: str) -> None:
    """A database holding one trigger row encrypted under ``key``, as Airflow writes it."""
    from cryptography.fernet import Fernet
    from psycopg import sql

    with psycopg.connect(_admin(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    token = Fernet(key.encode()).encrypt(b'{"asset": "jet_new_orders"}').decode()
    with psycopg.connect(_admin().rsplit("/", 1)[0] + "/" + name) as conn:
        conn.execute("CREATE TABLE trigger (id serial PRIMARY KEY, classpath text, kwargs text)")
        conn.execute("INSERT INTO trigger (classpath, kwargs) VALUES ('x', %s)", (token,))


def _drop(*names: str) -> None:
    from psycopg import sql

    with psycopg.connect(_admin(), autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_encrypted_columns_are_airflows_own() -> None:
    """The columns the setup decrypts exist in a real Airflow metadata database, which the
    test key reads in full."""
    from jet.runtime import fernet

    url = os.environ["JET_TEST_AIRFLOW_DB_URL"].replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        for table, column, flag in fernet.ENCRYPTED_COLUMNS:
            names = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s",
                (table,),
            )}  # fmt: skip
            assert column in names, (table, column, names)
            assert flag is None or flag in names, (table, flag, names)
        assert fernet.unreadable_rows(conn, os.environ["AIRFLOW__CORE__FERNET_KEY"]) == {}


def test_a_test_metadata_db_written_under_another_key_is_made_anew() -> None:
    from jet.runtime import fernet

    bootstrap = _bootstrap_module()
    server = bootstrap.Server(_admin().rsplit("/", 1)[0], "test")
    name = "jetflow_fernet_probe_test"
    old, new = fernet.generate_key(), fernet.generate_key()
    _metadata_db_with_a_trigger(name, old)
    try:
        with psycopg.connect(server.db(name)) as conn:
            assert fernet.unreadable_rows(conn, new) == {"trigger.kwargs": 1}
            assert fernet.unreadable_rows(conn, old) == {}
            assert fernet.unreadable_rows(conn, f"{new},{old}") == {}  # a rotation reads both
        bootstrap.bind_to_fernet_key(server, name, new, disposable=True)
        with psycopg.connect(server.db(name)) as conn:
            assert conn.execute("SELECT to_regclass('public.trigger')").fetchone() == (None,)
        # Stamped: the next setup leaves it alone, even once it holds rows again.
        _metadata_db_stamped = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"
        with psycopg.connect(_admin()) as conn:
            assert conn.execute(_metadata_db_stamped, (name,)).fetchone() == (fernet.stamp(new),)
        bootstrap.bind_to_fernet_key(server, name, new, disposable=True)
    finally:
        _drop(name)


def test_a_working_metadata_db_written_under_another_key_is_kept_aside() -> None:
    from jet.runtime import fernet

    bootstrap = _bootstrap_module()
    server = bootstrap.Server(_admin().rsplit("/", 1)[0], "test")
    name = "jetflow_fernet_probe"
    old, new = fernet.generate_key(), fernet.generate_key()
    _metadata_db_with_a_trigger(name, old)
    aside: list[str] = []
    try:
        bootstrap.bind_to_fernet_key(server, name, new, disposable=False)
        with psycopg.connect(_admin()) as conn:
            aside = [r[0] for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{name}_other_key_%",)
            )]  # fmt: skip
        assert len(aside) == 1, aside
        with psycopg.connect(server.db(aside[0])) as conn:  # the old history is all there
            assert fernet.unreadable_rows(conn, old) == {}
            assert conn.execute("SELECT count(*) FROM trigger").fetchone() == (1,)
        with psycopg.connect(server.db(name)) as conn:
            assert fernet.unreadable_rows(conn, new) == {}
            assert conn.execute("SELECT to_regclass('public.trigger')").fetchone() == (None,)
    finally:
        _drop(name, *aside)
