"""Every file the setup writes that holds a secret is readable by its owner only (0600).

The secrets: the Jet API secret, the Airflow admin password, the JWT secret, and the
connections with their passwords. They sit in ``.env``, ``.local/env.sh``,
``.local/env.json``, ``.local/airflow/passwords.json`` and Airflow's own
``airflow.cfg`` (fernet key, JWT secret).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
SECRET_KEYS = ("JET_API_SECRET", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY")
pytestmark = pytest.mark.integration


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def files_holding(base: Path, secrets: list[str], skip: tuple[str, ...] = ()) -> dict[Path, str]:
    """Every regular file under ``base`` that contains one of ``secrets``, with its mode."""
    found = {}
    for root, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            path = Path(root) / name
            if path.is_symlink() or path.stat().st_size > 20_000_000:
                continue
            data = path.read_bytes()
            if any(s.encode() in data for s in secrets):
                found[path] = mode(path)
    return found


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, ModuleType]]:
    """A project of its own (scripts/bootstrap.py, .env.example, include/), as a fresh clone has,
    with the permissive umask most machines have: modes must not depend on the umask."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.py", tmp_path / "scripts" / "bootstrap.py")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    (tmp_path / "include").symlink_to(ROOT / "include")
    for key in (*SECRET_KEYS, "JET_WAREHOUSE_URL", "AIRFLOW_CONN_JET_API"):
        monkeypatch.delenv(key, raising=False)  # this checkout's values (from env.json) must not leak in
    spec = importlib.util.spec_from_file_location("bootstrap_copy", tmp_path / "scripts" / "bootstrap.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bootstrap_copy"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    old = os.umask(0o022)
    try:
        yield tmp_path, module
    finally:
        os.umask(old)
        sys.modules.pop("bootstrap_copy", None)


def setup_files(bootstrap: ModuleType) -> dict[str, str]:
    """What `make setup` writes before Airflow runs: .env (if missing) and the environment files."""
    dotenv = bootstrap.ensure_dotenv()
    server = bootstrap.Server("postgresql://jetflow:db-password-1234@127.0.0.1:5432", "test")
    env = bootstrap.resolved_environment(server, "jetflow", dotenv)
    bootstrap.write_env(env)
    return dict(env)


def test_a_fresh_setup_creates_every_secret_file_0600(project: tuple[Path, ModuleType]) -> None:
    root, bootstrap = project
    env = setup_files(bootstrap)
    secrets = [env[k] for k in SECRET_KEYS] + ["db-password-1234"]
    assert all(len(s) >= 12 for s in secrets), "the setup generated every secret"
    expected = {
        root / ".env": SECRET_KEYS,
        root / ".local" / "env.sh": SECRET_KEYS,
        root / ".local" / "env.json": SECRET_KEYS,
        root / ".local" / "airflow" / "passwords.json": ("AIRFLOW_ADMIN_PASSWORD",),
    }
    for path, keys in expected.items():
        text = path.read_text()
        assert all(env[k] in text for k in keys), f"{path.name} holds {keys}"
        assert mode(path) == "0o600", f"{path} is {mode(path)}"
    assert "db-password-1234" in (root / ".local" / "env.sh").read_text()  # the warehouse connection
    # Nothing else the setup wrote holds a secret with a looser mode.
    holding = files_holding(root, secrets, skip=("include",))
    assert set(holding) == set(expected)
    assert set(holding.values()) == {"0o600"}
    assert json.loads((root / ".local" / "airflow" / "passwords.json").read_text()) == {
        "admin": env["AIRFLOW_ADMIN_PASSWORD"]
    }


def test_a_hand_written_env_gets_the_missing_secrets_and_is_made_private(project: tuple[Path, ModuleType]) -> None:
    root, bootstrap = project
    dotenv = root / ".env"
    dotenv.write_text("JET_WAREHOUSE_URL=postgresql://postgres@127.0.0.1:5432/mine\n")
    dotenv.chmod(0o644)  # as `echo ... > .env` leaves it
    (root / ".local").mkdir()
    stale = root / ".local" / "env.sh"
    stale.write_text("export JET_API_SECRET=old\n")
    stale.chmod(0o644)  # written by an older setup

    env = setup_files(bootstrap)

    text = dotenv.read_text()
    assert text.startswith("JET_WAREHOUSE_URL=postgresql://postgres@127.0.0.1:5432/mine\n"), "the user's lines stay"
    for key in SECRET_KEYS:
        assert f"{key}={env[key]}\n" in text
        assert env[key]
    assert mode(dotenv) == "0o600"
    assert mode(stale) == "0o600"
    assert "old" not in stale.read_text()
    # A second setup keeps the secrets it generated (the login must not change under people).
    assert setup_files(bootstrap)["AIRFLOW_ADMIN_PASSWORD"] == env["AIRFLOW_ADMIN_PASSWORD"]
    assert dotenv.read_text() == text


def test_this_checkouts_secret_files_are_private_after_make_setup() -> None:
    local = ROOT / ".local"
    if not (local / "env.json").exists():
        pytest.fail("run `make setup` first (make test does)")
    env = json.loads((local / "env.json").read_text())
    named = [
        ROOT / ".env",
        local / "env.sh",
        local / "env.json",
        local / "airflow" / "passwords.json",
        local / "airflow" / "airflow.cfg",  # Airflow's own: its fernet key and JWT secret
    ]
    assert {str(p.relative_to(ROOT)): mode(p) for p in named} == {str(p.relative_to(ROOT)): "0o600" for p in named}
    secrets = [env[k] for k in SECRET_KEYS if env.get(k)]
    assert len(secrets) == len(SECRET_KEYS), "make setup filled every secret"
    # Logs, reports, screenshots, ...: whatever holds a secret is private too (PostgreSQL's
    # own cluster files, when the setup started one, belong to the postgres user).
    loose = {str(p.relative_to(ROOT)): m for p, m in files_holding(local, secrets, skip=("postgres",)).items()}
    assert {p: m for p, m in loose.items() if m != "0o600"} == {}
