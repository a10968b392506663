"""The ASGI application: a thin wrapper (clock, rate limit, faults, auth, request log)
around a FastAPI app that holds the Jet routes and the admin routes.

Why a raw ASGI wrapper rather than FastAPI middleware: ``drop_after_apply`` has to close
the TCP connection with no HTTP response at all, which needs uvicorn's transport (only
reachable from the outermost ASGI callable), and the order-detail fast path skips
routing entirely for the read the product hammers most.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jet_sandbox import __version__
from jet_sandbox.admin import build_admin_router
from jet_sandbox.api import build_api_router
from jet_sandbox.faults import FaultEngine, TokenBucket, retry_after_header
from jet_sandbox.state import ApiError, Sandbox

WRITE_METHODS = {"PUT", "POST", "PATCH", "DELETE"}
DETAIL_PREFIX = "/orders/withoutShipmentDetail/"


class ConnectionDropped(Exception):
    """Raised after a response has started, to make uvicorn close the connection (fallback)."""


class SandboxServer:
    """Owns the :class:`Sandbox`, the fault engine and the rate bucket; is the ASGI app."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.faults = FaultEngine(seed=sandbox.seed)
        self._bucket: TokenBucket | None = None
        self._bucket_key: tuple[float | None, int | None] = (None, None)
        self.app = self._build_app()

    # ------------------------------------------------------------------ FastAPI app
    def _build_app(self) -> FastAPI:
        app = FastAPI(
            title="Jet merchant API sandbox",
            version=__version__,
            description="Stateful simulator of Jet.com's merchant API (see docs/sandbox.md).",
        )
        app.include_router(build_api_router(lambda: self.sandbox))
        app.include_router(build_admin_router(self))

        @app.exception_handler(ApiError)
        async def api_error(request: Request, exc: ApiError) -> JSONResponse:
            self._note_rejected(request, exc.status, exc.messages)
            return JSONResponse({"errors": exc.messages}, status_code=exc.status)

        @app.exception_handler(RequestValidationError)
        async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
            messages = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
            self._note_rejected(request, 400, messages)
            return JSONResponse({"errors": messages}, status_code=400)

        @app.exception_handler(StarletteHTTPException)
        async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
            return JSONResponse({"errors": [str(exc.detail)]}, status_code=exc.status_code, headers=exc.headers)

        original_openapi = app.openapi

        def openapi_with_auth() -> dict[str, Any]:
            """Declare the bearer scheme on every Jet route except /api/token."""
            if app.openapi_schema:
                return app.openapi_schema
            schema = original_openapi()
            schema.setdefault("components", {}).setdefault("securitySchemes", {})["jetBearer"] = {
                "type": "http",
                "scheme": "bearer",
            }
            for path, ops in schema["paths"].items():
                if path.startswith("/api/") and path != "/api/token" and not path.startswith("/api/reports/download"):
                    for op in ops.values():
                        op["security"] = [{"jetBearer": []}]
            app.openapi_schema = schema
            return schema

        app.openapi = openapi_with_auth  # type: ignore[method-assign]
        return app

    def _note_rejected(self, request: Request, status: int, messages: list[str]) -> None:
        if request.method in WRITE_METHODS and request.url.path.startswith("/api") and status == 400:
            self.sandbox.record_rejected(
                request.method, request.url.path, status, messages, request.scope.get("jet_body")
            )

    # ------------------------------------------------------------------ ASGI entry
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith("/api/") and path != "/api":
            self.sandbox.tick()
            await self.app(scope, receive, send)
            return
        await self._handle_api(scope, receive, send)

    def _rate_bucket(self) -> TokenBucket | None:
        cfg = self.sandbox.config
        key = (cfg.rate_limit_per_second, cfg.rate_limit_burst)
        if key != self._bucket_key:
            self._bucket_key = key
            rate = cfg.rate_limit_per_second
            self._bucket = None if rate is None else TokenBucket(rate, cfg.rate_limit_burst or max(1, int(rate)))
        return self._bucket

    async def _handle_api(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        sb = self.sandbox
        sb.tick()
        method: str = scope["method"]
        api_path: str = scope["path"][4:]
        lowered = api_path.lower()
        if lowered == "/token" and api_path != "/token":
            scope = {**scope, "path": "/api/token", "raw_path": b"/api/token"}
            api_path = "/token"
        log = {"wall": time.time(), "method": method, "path": scope["path"], "status": 0}
        sb.requests.append(log)

        if await self._refused_over_rate(log, send):
            return
        fired = self.faults.decide(method, api_path) if self.faults.rules else {}
        receive, answered = await self._request_faults(fired, receive, log, send)
        if answered:
            return
        if lowered != "/token" and not lowered.startswith("/reports/download/"):
            reason = self._auth_problem(scope, "expire_token" in fired)
            if reason is not None:
                log["status"] = 401
                await _send_json(send, 401, {"errors": [reason]})
                return
        scope["jet_faults"] = fired
        await self._serve(scope, receive, send, fired, log)

    async def _refused_over_rate(self, log: dict[str, Any], send: Any) -> bool:
        """Answer 429 when the rate budget is spent (True), as Jet's throttle did."""
        bucket = self._rate_bucket()
        wait = bucket.take() if bucket is not None else 0
        if wait <= 0:
            return False
        log["status"] = 429
        await _send_json(send, 429, {"errors": ["rate limit exceeded"]}, retry_after_header(wait))
        return True

    async def _request_faults(
        self, fired: dict[str, Any], receive: Any, log: dict[str, Any], send: Any
    ) -> tuple[Any, bool]:
        """The faults that act before the request is served: a delay, a hang, or an error
        answered instead (then True). Returns the receive channel to serve from."""
        if "latency" in fired or "hang" in fired:
            # Read the body before stalling: a client that gives up must not cancel the write.
            receive = await _buffered_receive(receive)
        if "latency" in fired:
            await asyncio.sleep(float(fired["latency"].params.get("seconds", 1.0)))
        if "hang" in fired:
            await asyncio.sleep(float(fired["hang"].params.get("seconds", 30.0)))
            self.sandbox.tick()
        for kind, status in (("error_500", 500), ("error_503", 503), ("rate_429", 429)):
            if kind in fired:
                log["status"] = status
                retry = str(fired[kind].params.get("retry_after", 1)) if status == 429 else None
                await _send_json(send, status, {"errors": [f"sandbox fault {kind}"]}, retry)
                return receive, True
        return receive, False

    async def _serve(
        self, scope: dict[str, Any], receive: Any, send: Any, fired: dict[str, Any], log: dict[str, Any]
    ) -> None:
        """Serve the request, then the faults that act on the answer: dropped after the
        write applied, or its JSON truncated or malformed."""
        mangle = "truncated_json" in fired or "malformed_json" in fired
        drop = "drop_after_apply" in fired
        status_box = [0]
        buffered: list[dict[str, Any]] = []

        async def wrapped_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            if drop or mangle:
                buffered.append(message)
                return
            await send(message)

        api_path: str = scope["path"][4:]
        if (
            scope["method"] == "GET"
            and api_path.startswith(DETAIL_PREFIX)
            and "/" not in api_path[len(DETAIL_PREFIX) :]
        ):
            await self._fast_detail(api_path[len(DETAIL_PREFIX) :], "missing_optional" in fired, wrapped_send)
        else:
            await self.app(scope, receive, wrapped_send)

        if drop:
            log["status"] = 0
            await _drop_connection(send)
            return
        if mangle:
            await _send_mangled(send, buffered, "truncated" if "truncated_json" in fired else "malformed")
        log["status"] = status_box[0]

    def _auth_problem(self, scope: dict[str, Any], force_expired: bool) -> str | None:
        header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        if not header:
            return "authorization header missing"
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "authorization must be 'Bearer <id_token>'"
        reason = self.sandbox.check_token(token.strip())
        if reason is None and force_expired:
            reason = "token expired"
        return reason

    async def _fast_detail(self, order_id: str, sparse: bool, send: Any) -> None:
        try:
            body = self.sandbox.detail_bytes(order_id, sparse)
            status = 200
        except ApiError as exc:
            body = json.dumps({"errors": exc.messages}).encode()
            status = exc.status
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _buffered_receive(receive: Any) -> Any:
    """Read the whole request body now; replay it later, then defer to the real ``receive``."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def replay() -> Any:
        if pending:
            return pending.pop()
        return await receive()

    return replay


async def _send_json(send: Any, status: int, payload: Any, retry_after: str | None = None) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", retry_after.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_mangled(send: Any, messages: list[dict[str, Any]], how: str) -> None:
    """Re-send a buffered response with its JSON body cut in half or corrupted."""
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    if body:
        half = max(1, len(body) // 2)
        body = body[:half] if how == "truncated" else body[:half] + b'"}{,]' + body[half:]
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Any) -> None:
    """Abort the TCP connection with no response (the write was already applied).

    uvicorn passes its per-request cycle's bound ``send``; its ``transport`` is the socket.
    Aborting it and yielding once lets uvicorn see the disconnect, so it sends nothing.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return
    # Not under uvicorn: start a response that can never complete; the server closes the socket.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionDropped("drop_after_apply")


def create_app(
    *, seed: int, scenario: str, clock_mode: str, user: str, secret: str, start: Any = None
) -> SandboxServer:
    """Build the ASGI app (a :class:`SandboxServer`) for uvicorn."""
    sandbox = Sandbox(seed=seed, scenario=scenario, clock_mode=clock_mode, user=user, secret=secret, start=start)  # type: ignore[arg-type]
    return SandboxServer(sandbox)
