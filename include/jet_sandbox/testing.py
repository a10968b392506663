"""Test harness: run the sandbox as a subprocess and drive its admin API.

Usage::

    with SandboxProcess(seed=42, scenario="default", clock="manual") as sb:
        token = sb.token()
        sb.advance(900)

The process is a real ``python -m jet_sandbox serve`` on a free port, so tests exercise
real HTTP (and real connection drops) exactly like the product's client will.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx

_INCLUDE_DIR = str(Path(__file__).resolve().parent.parent)

#: The ``jet_api`` extra the tests, benchmarks and demo give the hook by default: a rate
#: budget well above what they send, so the budget is never what they measure.
CONNECTION_EXTRA: dict[str, Any] = {"rate_limit_per_second": 200, "rate_limit_burst": 50, "max_concurrency": 8}


def sandbox_connection(
    port: int, user: str, secret: str, *, extra: Mapping[str, Any] | None = None, host: str = "127.0.0.1"
) -> str:
    """The Airflow connection ``jet_api`` for a sandbox on ``host:port``, in JSON form (the
    value of ``AIRFLOW_CONN_JET_API``; the URI form would mangle the ``http`` schema).

    The one place it is built, for the tests, the benchmarks, the demo and `make setup`
    (which points `make airflow` at the sandbox it will start). Without ``extra`` the hook
    runs on its own defaults, as against Jet.
    """
    conn: dict[str, Any] = {
        "conn_type": "http",
        "host": host,
        "port": port,
        "schema": "http",
        "login": user,
        "password": secret,
    }
    if extra is not None:
        conn["extra"] = dict(extra)
    return json.dumps(conn, separators=(",", ":"))


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class JetAuth(httpx.Auth):
    """Bearer auth that logs in lazily and logs in again once on a 401 (as Jet clients did)."""

    def __init__(self, process: SandboxProcess) -> None:
        self.process = process
        self.token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send with the current token; on 401 fetch a new one and retry once."""
        if self.token is None:
            self.token = self.process.token()
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.token = self.process.token()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


class SandboxError(RuntimeError):
    """The sandbox process failed to start or an admin call failed."""


class SandboxProcess:
    """Context manager around one sandbox subprocess (see module docstring)."""

    def __init__(
        self,
        seed: int = 42,
        scenario: str = "default",
        clock: str = "manual",
        user: str | None = None,
        secret: str | None = None,
        port: int | None = None,
        start: str | None = None,
        startup_timeout: float = 60.0,  # a bound: a loaded machine may take a while to start uvicorn
    ) -> None:
        self.seed = seed
        self.scenario = scenario
        self.clock = clock
        self.user = user or os.environ.get("JET_API_USER") or "jetflow-sandbox"
        self.secret = secret or os.environ.get("JET_API_SECRET") or "sandbox-secret"
        self.port = port or free_port()
        self.start = start
        self.startup_timeout = startup_timeout
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.base_url + "/api"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._client: httpx.Client | None = None
        self._token: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> SandboxProcess:
        self.start_process()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start_process(self) -> None:
        """Start the subprocess and wait (bounded) until /_sandbox/health answers."""
        argv = [
            sys.executable, "-m", "jet_sandbox", "serve",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--seed", str(self.seed), "--scenario", self.scenario, "--clock", self.clock,
            "--user", self.user, "--secret", self.secret,
        ]  # fmt: skip
        if self.start:
            argv += ["--start", self.start]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_INCLUDE_DIR, env.get("PYTHONPATH")) if p)
        # A file, not a pipe: an unread pipe fills up and would block the server mid-test.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process; closed in stop()
        self._proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=self._log)
        self._client = httpx.Client(base_url=self.base_url, timeout=30.0)
        deadline = time.monotonic() + self.startup_timeout
        last_error: httpx.TransportError | None = None
        while True:
            if self._proc.poll() is not None:
                raise SandboxError(f"sandbox exited with {self._proc.returncode}: {self.log_text()}")
            try:
                if self._client.get("/_sandbox/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError as exc:
                last_error = exc  # not listening yet; reported below if it never comes up
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(
                    f"sandbox did not become healthy within {self.startup_timeout}s (last error: {last_error!r})"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate the subprocess (kill it if it does not exit within 5 s)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        """What the server wrote to stderr so far (uvicorn warnings, tracebacks)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def airflow_connection(
        self, *, extra: dict[str, Any] | None = None, login: str | None = None, password: str | None = None
    ) -> str:
        """The Airflow connection ``jet_api`` pointing at this sandbox, in JSON form (the
        value of ``AIRFLOW_CONN_JET_API``). ``extra`` replaces :data:`CONNECTION_EXTRA`;
        ``login``/``password`` replace the sandbox's credentials (to test refusals)."""
        return sandbox_connection(
            self.port,
            self.user if login is None else login,
            self.secret if password is None else password,
            extra=CONNECTION_EXTRA if extra is None else extra,
        )

    # ------------------------------------------------------------------ plumbing
    @property
    def client(self) -> httpx.Client:
        """httpx client on the base url (admin calls)."""
        if self._client is None:
            raise SandboxError("sandbox process is not running")
        return self._client

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise SandboxError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    # ------------------------------------------------------------------ admin helpers
    def reset(self, seed: int | None = None, scenario: str | None = None, config: dict[str, Any] | None = None) -> Any:
        """Fresh deterministic state; also clears faults, ledger and request log."""
        body = {
            "seed": self.seed if seed is None else seed,
            "scenario": scenario or self.scenario,
            "config": config or {},
        }
        return self._call("POST", "/_sandbox/reset", json=body)

    def health(self) -> bool:
        """True when the server answers."""
        return bool(self._call("GET", "/_sandbox/health")["ok"])

    def now(self) -> str:
        """Sandbox clock instant (Jet's 7-digit ISO form)."""
        return str(self._call("GET", "/_sandbox/clock")["now"])

    def advance(self, seconds: float) -> str:
        """Advance the sandbox clock; due transitions are processed before this returns."""
        return str(self._call("POST", "/_sandbox/clock/advance", json={"seconds": seconds})["now"])

    def set_now(self, when: str) -> str:
        """Jump the clock forward to ``when``."""
        return str(self._call("POST", "/_sandbox/clock/set", json={"now": when})["now"])

    def config(self) -> dict[str, Any]:
        """The current config."""
        return dict(self._call("GET", "/_sandbox/config"))

    def set_config(self, **changes: Any) -> dict[str, Any]:
        """Merge config keys."""
        return dict(self._call("PUT", "/_sandbox/config", json=changes))

    def set_faults(self, faults: list[dict[str, Any]]) -> Any:
        """Replace the fault rules."""
        return self._call("PUT", "/_sandbox/faults", json={"faults": faults})

    def clear_faults(self) -> Any:
        """Remove every fault rule."""
        return self._call("DELETE", "/_sandbox/faults")

    def faults_fired(self) -> dict[str, int]:
        """Fault fires per label (``params.label`` or kind) since the last reset."""
        return dict(self._call("GET", "/_sandbox/faults/fired")["fired"])

    def generate_orders(self, count: int, status: str = "ready", **kwargs: Any) -> list[str]:
        """Place ``count`` orders (``skus=[...]``, ``lines=[...]``, ``fulfillment_node=...``); their ids."""
        body = {"count": count, "status": status, **kwargs}
        return list(self._call("POST", "/_sandbox/orders/generate", json=body)["merchant_order_ids"])

    def directed_cancel(self, order_id: str, lines: dict[str, int] | None = None) -> Any:
        """Jet asks to cancel units (all open units when ``lines`` is None)."""
        return self._call("POST", f"/_sandbox/orders/{order_id}/directed-cancel", json={"lines": lines})

    def set_raw_order(self, order_id: str, text: str | bytes) -> Any:
        """Serve ``text`` (bytes verbatim, str as UTF-8) as the order's detail payload."""
        body = text if isinstance(text, bytes) else text.encode()
        return self._call("PUT", f"/_sandbox/orders/{order_id}/raw", content=body)

    def set_raw(self, kind: str, object_id: str, body: str | bytes, status: int = 200) -> Any:
        """Serve ``body`` verbatim (with HTTP ``status``) for a ``return``, ``refund``,
        ``settlement_report`` or ``settlement_details`` (the CSV); empty restores the generated one."""
        content = body if isinstance(body, bytes) else body.encode()
        return self._call("PUT", f"/_sandbox/raw/{kind}/{object_id}", content=content, params={"status": status})

    def generate_return(self, order_id: str) -> str:
        """Open a return on shipped units of ``order_id``; its id."""
        return str(
            self._call("POST", "/_sandbox/returns/generate", json={"merchant_order_id": order_id})[
                "merchant_return_authorization_id"
            ]
        )

    def truth_orders(self, status: str | None = None) -> list[dict[str, Any]]:
        """Ground truth: ``[{"order": {...}, "state": {...}}]``."""
        params = {"status": status} if status else None
        return list(self._call("GET", "/_sandbox/truth/orders", params=params)["orders"])

    def truth(self, what: str) -> dict[str, Any]:
        """``/_sandbox/truth/{returns|refunds|settlements|catalog}``."""
        return dict(self._call("GET", f"/_sandbox/truth/{what}"))

    def archive_on_jet(self, sku: str, archived: bool = True) -> Any:
        """Archive (or restore, ``archived=False``) a SKU on Jet's side (not a merchant write)."""
        return self._call("PUT", f"/_sandbox/skus/{sku}/archived", json={"is_archived": archived})

    def delete_on_jet(self, sku: str) -> Any:
        """Jet deletes the SKU."""
        return self._call("DELETE", f"/_sandbox/skus/{sku}")

    def ledger(self) -> list[dict[str, Any]]:
        """Applied writes, in order."""
        return list(self._call("GET", "/_sandbox/ledger")["entries"])

    def rejected(self) -> list[dict[str, Any]]:
        """Writes refused with 400."""
        return list(self._call("GET", "/_sandbox/rejected")["entries"])

    def requests_log(self) -> list[dict[str, Any]]:
        """Every /api request received: wall, method, path, status."""
        return list(self._call("GET", "/_sandbox/requests")["requests"])

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "/_sandbox/requests")

    # ------------------------------------------------------------------ Jet-side helpers
    def token(self) -> str:
        """A fresh bearer token for the configured credentials."""
        response = self.client.post("/api/token", json={"user": self.user, "pass": self.secret})
        if response.status_code != 200:
            raise SandboxError(f"token -> {response.status_code}: {response.text}")
        return str(response.json()["id_token"])

    def jet_client(self, timeout: float = 10.0) -> httpx.Client:
        """httpx client on ``/api`` that authenticates (and re-authenticates on 401) by itself."""
        return httpx.Client(base_url=self.api_url, auth=JetAuth(self), timeout=timeout)

    def auth_headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` with a fresh token."""
        return {"Authorization": f"Bearer {self.token()}"}
