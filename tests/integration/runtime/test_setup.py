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
