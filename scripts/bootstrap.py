"""Set up everything `make demo` and `make test` need, idempotently and fast.

1. Find PostgreSQL: ``JET_WAREHOUSE_URL`` if set; else a server on 127.0.0.1:5432;
   else a project-local cluster in ``.local/postgres`` started from the PostgreSQL
   binaries on this machine (``initdb`` runs as the ``postgres`` user when we are
   root, because it refuses to run as root). If none of that works, stop with a
   message that says what to install or set.
2. Create the databases if missing: the warehouse, Airflow's metadata database, and
   a test twin of each (tests never touch the demo's data).
3. Apply the warehouse migrations, and Airflow's own (``airflow db migrate``, skipped
   when the metadata database is already at the installed Airflow's head).
4. Write ``.local/env.sh`` (and ``.local/env.json``) with the resolved environment:
   warehouse URLs, ``AIRFLOW_HOME``, metadata DB, ``AIRFLOW_CONN_JET_API`` and
   ``AIRFLOW_CONN_JET_WAREHOUSE``. ``scripts/run`` sources it. `make airflow`'s login
   goes to ``.local/airflow/passwords.json``.
5. Make sure a Chromium is there for the report's screenshots and browser tests:
   installed with apt-get when run as root and missing, else a note on what to install.

Airflow's metadata databases are bound to this checkout's Fernet key
(:func:`bind_to_fernet_key`): a database of the same name written by another checkout is
made anew (tests) or kept aside (``make airflow``'s), never read with the wrong key.

Secrets (sandbox API user and secret, Airflow login password, JWT and Fernet keys) live in
the gitignored ``.env``; the first run creates it from ``.env.example`` with
generated values (and adds any missing to a ``.env`` written by hand). Every file
written here that holds a secret is created 0600 (:func:`jet.runtime.private.write_private`).
"""

from __future__ import annotations

import configparser
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
AIRFLOW_PASSWORDS = LOCAL / "airflow" / "passwords.json"
sys.path.insert(0, str(ROOT / "include"))

from jet.runtime import fernet  # noqa: E402
from jet.runtime.private import is_private, write_private  # noqa: E402
from jet.warehouse.db import airflow_connection  # noqa: E402
from jet.warehouse.migrate import migrate  # noqa: E402
from jet_sandbox.testing import sandbox_connection  # noqa: E402

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 5432
LOCAL_CLUSTER_PORT = int(os.environ.get("JET_LOCAL_PG_PORT", "55432"))


class SetupError(SystemExit):
    """Stops the setup with a message for the user (exit status 2)."""

    def __init__(self, message: str) -> None:
        print(f"\nsetup stopped: {message}\n", file=sys.stderr)
        super().__init__(2)


def say(message: str) -> None:
    print(f"[setup] {message}", flush=True)


# --------------------------------------------------------------------------- .env
def load_dotenv(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (shell quoting allowed); real environment wins."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        key = key.removeprefix("export ").strip()
        parts = shlex.split(raw, comments=True) if raw.strip() else [""]
        values[key] = parts[0] if parts else ""
    return values


#: Secrets the setup generates when .env does not give them.
GENERATED_SECRETS = {
    "JET_API_SECRET": lambda: secrets.token_hex(16),
    "AIRFLOW_ADMIN_PASSWORD": lambda: secrets.token_urlsafe(12),
    "AIRFLOW__API_AUTH__JWT_SECRET": lambda: secrets.token_hex(32),
    # Airflow's own key for what it encrypts in its database; an older checkout keeps the
    # key Airflow generated into its airflow.cfg, so its database stays readable.
    "AIRFLOW__CORE__FERNET_KEY": lambda: _key_in_airflow_cfg() or fernet.generate_key(),
}


def _key_in_airflow_cfg() -> str | None:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(LOCAL / "airflow" / "airflow.cfg")
    return cfg.get("core", "fernet_key", fallback=None) or None


def ensure_dotenv() -> dict[str, str]:
    """Read ``.env``, creating it (0600) from ``.env.example`` with generated secrets.

    A ``.env`` written by hand (as little as ``JET_WAREHOUSE_URL=...``) gets the missing
    secrets added: without them the sandbox and the connection would disagree on the API
    secret, and every Airflow component would sign its tokens with a key of its own.
    """
    env_path = ROOT / ".env"
    if not env_path.exists():
        template = (ROOT / ".env.example").read_text()
        generated = {key: make() for key, make in GENERATED_SECRETS.items()}
        lines = []
        for line in template.splitlines():
            key = line.partition("=")[0].strip()
            if key in generated and line.strip().endswith("="):
                line = f"{key}={generated[key]}"
            lines.append(line)
        write_private(env_path, "\n".join(lines) + "\n")
        say(f"created .env with generated secrets (Airflow login: admin / {generated['AIRFLOW_ADMIN_PASSWORD']})")
    elif not is_private(env_path):
        # A file the user wrote: we did not create it, so tightening it is all we can do.
        env_path.chmod(0o600)
        say(".env was readable by other users; made it private (0600): it holds secrets")
    values = load_dotenv(env_path)
    missing = [key for key in GENERATED_SECRETS if not values.get(key) and not os.environ.get(key)]
    if missing:
        added = {key: GENERATED_SECRETS[key]() for key in missing}
        text = env_path.read_text()
        text += ("" if text.endswith("\n") or not text else "\n") + "# Generated by make setup (keep them secret)\n"
        text += "".join(f"{key}={value}\n" for key, value in added.items())
        write_private(env_path, text)
        values.update(added)
        login = ""
        if "AIRFLOW_ADMIN_PASSWORD" in added:
            login = f" (Airflow login: admin / {added['AIRFLOW_ADMIN_PASSWORD']})"
        say(f"added generated {', '.join(missing)} to .env{login}")
    # The real environment wins, but an empty value (an old .local/env.sh sourced) does not.
    values.update({k: v for k, v in os.environ.items() if k in values and v})
    return values


# ----------------------------------------------------------------------- servers
@dataclass(frozen=True)
class Server:
    """A PostgreSQL server we can create databases on."""

    url: str  # postgresql://user[:pass]@host:port  (no database)
    how: str

    def db(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _can_connect(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _server_from_url(url: str) -> tuple[Server, str]:
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/") or "jetflow"
    base = urlunsplit((parts.scheme.replace("+psycopg", ""), parts.netloc, "", parts.query, ""))
    return Server(base, f"JET_WAREHOUSE_URL ({parts.hostname}:{parts.port or 5432})"), dbname


def _pg_bindir() -> Path | None:
    explicit = os.environ.get("JET_PG_BINDIR")
    if explicit:
        return Path(explicit) if (Path(explicit) / "initdb").exists() else None
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to the postgres user."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]


def start_local_cluster(base: Path) -> Server:
    bindir = _pg_bindir()
    if bindir is None:
        raise SetupError(
            "no PostgreSQL server was found.\n"
            f"  - nothing answers on {DEFAULT_HOST}:{DEFAULT_PORT}, and\n"
            "  - no PostgreSQL server binaries (initdb, pg_ctl) are installed to start a local one.\n"
            "Do one of:\n"
            "  - install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql;"
            " macOS: brew install postgresql@15) and run make again;\n"
            "  - or point the project at a server you have:"
            " export JET_WAREHOUSE_URL=postgresql://USER:PASSWORD@HOST:5432/jetflow"
        )
    data, run = base / "data", base / "run"
    url = f"postgresql://postgres@127.0.0.1:{LOCAL_CLUSTER_PORT}"
    if _can_connect(url + "/postgres"):
        return Server(url, f"project-local cluster in {base.relative_to(ROOT) if base.is_relative_to(ROOT) else base}")
    base.mkdir(parents=True, exist_ok=True)
    run.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(run, "postgres", "postgres")
    if not (data / "PG_VERSION").exists():
        say(f"initialising a project-local PostgreSQL cluster in {data} ({bindir})")
        subprocess.run(
            _as_postgres_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    say(f"starting it on 127.0.0.1:{LOCAL_CLUSTER_PORT}")
    opts = f"-p {LOCAL_CLUSTER_PORT} -k {run} -c listen_addresses=127.0.0.1"
    subprocess.run(
        _as_postgres_user(
            [str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "server.log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if not _can_connect(url + "/postgres"):
        raise SetupError(f"the local cluster did not accept connections; see {base / 'server.log'}")
    return Server(url, f"project-local cluster in {base}")


def find_server(dotenv: dict[str, str]) -> tuple[Server, str]:
    """Return the server and the warehouse database name."""
    explicit = os.environ.get("JET_WAREHOUSE_URL") or dotenv.get("JET_WAREHOUSE_URL")
    if explicit:
        server, dbname = _server_from_url(explicit)
        if not _can_connect(server.db("postgres")) and not _can_connect(explicit):
            raise SetupError(f"JET_WAREHOUSE_URL is set but no server answers there: {explicit}")
        return server, dbname
    host = os.environ.get("JET_PG_HOST", DEFAULT_HOST)
    port = int(os.environ.get("JET_PG_PORT", DEFAULT_PORT))
    url = f"postgresql://postgres@{host}:{port}"
    if _can_connect(url + "/postgres"):
        return Server(url, f"PostgreSQL on {host}:{port}"), "jetflow"
    say(f"no PostgreSQL on {host}:{port}; trying a project-local cluster")
    return start_local_cluster(Path(os.environ.get("JET_LOCAL_PG_DIR", LOCAL / "postgres"))), "jetflow"


def ensure_database(server: Server, name: str) -> bool:
    with psycopg.connect(server.db("postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # created meanwhile by a concurrent setup
        except psycopg.errors.InsufficientPrivilege as exc:
            raise SetupError(
                f"cannot create database {name} on {server.how}: {exc}. Create it, or grant CREATEDB."
            ) from exc
    return True


# ----------------------------------------------------------------------- airflow
def bind_to_fernet_key(server: Server, name: str, key: str, *, disposable: bool) -> None:
    """Make Airflow's database ``name`` one that ``key`` can read (see :mod:`jet.runtime.fernet`).

    A database stamped with this key's fingerprint is left alone. Otherwise its encrypted
    rows are tried with the key; when some cannot be read (another checkout's database of
    the same name, or a new ``.env``), a test database is dropped and made anew, and the
    working database is kept under another name, so its run history is not lost, and a new
    one takes its place. Then the database is stamped.
    """
    wanted = fernet.stamp(key)
    comment = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"
    with psycopg.connect(server.db("postgres"), autocommit=True) as conn:
        row = conn.execute(comment, (name,)).fetchone()
    if row and row[0] == wanted:
        return
    with psycopg.connect(server.db(name)) as conn:
        unreadable = fernet.unreadable_rows(conn, key)
    with psycopg.connect(server.db("postgres"), autocommit=True) as conn:
        if unreadable:
            found = ", ".join(f"{count} {column}" for column, count in unreadable.items())
            if disposable:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                say(f"{name} was written under another Fernet key ({found} unreadable): made it anew")
            else:
                aside = f"{name}_other_key_{time.strftime('%Y%m%d%H%M%S')}"
                try:
                    conn.execute(
                        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name), sql.Identifier(aside))
                    )
                except psycopg.errors.ObjectInUse as exc:
                    raise SetupError(
                        f"Airflow's database {name} was written under another Fernet key ({found} unreadable with"
                        " this checkout's AIRFLOW__CORE__FERNET_KEY) and is in use, by another checkout's Airflow?"
                        " Stop it, or give this checkout its own database names (JET_WAREHOUSE_URL in .env)."
                    ) from exc
                say(
                    f"Airflow's database {name} was written under another Fernet key ({found} unreadable):"
                    f" kept it as {aside} and started a new {name}. To read the old one, put its key in .env as"
                    " AIRFLOW__CORE__FERNET_KEY; to keep checkouts apart, give each its own JET_WAREHOUSE_URL."
                )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(wanted)))


def airflow_env(values: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env


def ensure_airflow_metadata(meta_url: str, env: dict[str, str]) -> None:
    """Run `airflow db migrate` unless the DB already sits at this Airflow's head."""
    stamp = LOCAL / "airflow" / f".migrated-{urlsplit(meta_url).path.lstrip('/')}"
    try:
        with psycopg.connect(meta_url.replace("+psycopg", ""), connect_timeout=3) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except psycopg.errors.UndefinedTable:
        row = None
    if row and stamp.exists() and stamp.read_text().strip() == row[0]:
        return
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "airflow"), "db", "migrate"], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SetupError(f"`airflow db migrate` failed for {meta_url}")
    with psycopg.connect(meta_url.replace("+psycopg", "")) as conn:
        head = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(head)
    say(f"Airflow metadata database migrated ({time.monotonic() - started:.1f}s)")


def resolved_environment(server: Server, dbname: str, dotenv: dict[str, str]) -> dict[str, str]:
    meta_db = f"{dbname}_airflow"
    airflow_home = LOCAL / "airflow"
    sandbox_port = int(dotenv.get("JET_SANDBOX_PORT", "8089"))
    api_conn = dotenv.get("AIRFLOW_CONN_JET_API") or sandbox_connection(
        sandbox_port, dotenv.get("JET_API_USER", "jetflow-sandbox"), dotenv.get("JET_API_SECRET", "")
    )
    env = {
        "JET_PROJECT_ROOT": str(ROOT),
        "JET_WAREHOUSE_URL": server.db(dbname),
        "JET_TEST_WAREHOUSE_URL": server.db(f"{dbname}_test"),
        "JET_TEST_AIRFLOW_DB_URL": server.db(f"{meta_db}_test").replace("postgresql://", "postgresql+psycopg://", 1),
        "JET_SANDBOX_PORT": str(sandbox_port),
        "JET_API_USER": dotenv.get("JET_API_USER", "jetflow-sandbox"),
        "JET_API_SECRET": dotenv.get("JET_API_SECRET", ""),
        "PYTHONPATH": f"{ROOT / 'include'}:{ROOT / 'plugins'}",
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": server.db(meta_db).replace("postgresql://", "postgresql+psycopg://", 1),
        "AIRFLOW__API_AUTH__JWT_SECRET": dotenv.get("AIRFLOW__API_AUTH__JWT_SECRET", ""),
        "AIRFLOW__CORE__FERNET_KEY": dotenv.get("AIRFLOW__CORE__FERNET_KEY", ""),
        "AIRFLOW_ADMIN_PASSWORD": dotenv.get("AIRFLOW_ADMIN_PASSWORD", ""),
        "AIRFLOW_CONN_JET_API": api_conn,
        "AIRFLOW_CONN_JET_WAREHOUSE": airflow_connection(server.db(dbname)),
    }
    if dotenv.get("JET_INVENTORY_INBOX"):  # where jet_load_inventory reads stock files
        env["JET_INVENTORY_INBOX"] = dotenv["JET_INVENTORY_INBOX"]
    return env


def write_env(env: dict[str, str]) -> None:
    """``.local/env.sh``, ``.local/env.json`` and `make airflow`'s login, each 0600."""
    LOCAL.mkdir(exist_ok=True)
    lines = ["# Generated by scripts/bootstrap.py on every setup; edit .env instead."]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
    # Both hold the Jet secret, the admin password, the JWT secret and the connections.
    write_private(LOCAL / "env.sh", "\n".join(lines) + "\n")
    write_private(LOCAL / "env.json", json.dumps(env, indent=2) + "\n")
    # `make airflow`'s login (simple auth manager): {"admin": password}.
    write_private(AIRFLOW_PASSWORDS, json.dumps({"admin": env["AIRFLOW_ADMIN_PASSWORD"]}) + "\n")


def ensure_chromium() -> None:
    """A headless Chromium for the report's screenshots and browser tests (Playwright drives it).

    As root on Debian/Ubuntu, install the distribution's package when it is missing;
    otherwise say what to install (the browser tests skip without it, and fail under CI).
    """
    if os.environ.get("JET_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Chromium (apt-get install -y chromium) for the report's screenshots and browser tests")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                say(f"could not install Chromium ({' '.join(cmd)}): {done.stderr.strip()[-300:]}")
                return
        return
    say("no Chromium found: browser tests will skip; install it (Debian/Ubuntu: sudo apt-get install -y chromium)")


def main() -> None:
    started = time.monotonic()
    dotenv = ensure_dotenv()
    server, dbname = find_server(dotenv)
    say(f"warehouse server: {server.how}")
    env = resolved_environment(server, dbname, dotenv)
    for name in (dbname, f"{dbname}_test", f"{dbname}_airflow", f"{dbname}_airflow_test"):
        if ensure_database(server, name):
            say(f"created database {name}")
    for name in (dbname, f"{dbname}_test"):
        applied = migrate(server.db(name))
        if applied:
            say(f"{name}: applied migrations {applied}")
    write_env(env)
    for name, disposable in ((f"{dbname}_airflow", False), (f"{dbname}_airflow_test", True)):
        bind_to_fernet_key(server, name, env["AIRFLOW__CORE__FERNET_KEY"], disposable=disposable)
    base = airflow_env(env)
    ensure_airflow_metadata(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], base)
    test_env = dict(base, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=env["JET_TEST_AIRFLOW_DB_URL"])
    ensure_airflow_metadata(env["JET_TEST_AIRFLOW_DB_URL"], test_env)
    ensure_chromium()
    say(f"ready in {time.monotonic() - started:.1f}s (environment in .local/env.sh)")


if __name__ == "__main__":
    main()
