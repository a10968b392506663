"""JetHook: Jet's merchant API over the http provider's HttpHook.

Connection ``jet_api`` (JSON form; the URI form turns a path into the *scheme*)::

    {"conn_type": "http", "host": "merchant-api.jet.com", "schema": "https",
     "login": "<API user>", "password": "<secret>",
     "extra": {"base_path": "/api", "rate_limit_per_second": 20, "rate_limit_burst": 20,
               "max_concurrency": 8, "connect_timeout": 5, "read_timeout": 30,
               "max_retries": 5, "backoff_base": 0.5, "backoff_max": 30}}

The keys of :data:`JET_EXTRA_KEYS` configure this hook and are never sent as headers;
any *other* top-level extra key still becomes a request header, as with HttpHook.

Reliability rules (``docs/architecture.md``, "Exactly-once write-back"):

* GETs retry with exponential backoff and full jitter on 429/500/502/503/504, timeouts
  and connection errors, honouring ``Retry-After`` (seconds or HTTP date); then
  :class:`~jet.api.errors.JetRetriesExhausted` names the URL and the last status.
* PUT/POST are **never** retried here: Jet has no idempotency keys, so a resent
  ``shipped`` could ship twice. Timeouts, dropped connections and 5xx raise
  :class:`~jet.api.errors.WriteOutcomeUnknown` (5xx as its subclass
  :class:`~jet.api.errors.JetServerError`: a 500 may come after the write was
  applied); 4xx raise :class:`~jet.api.errors.JetRequestRejected` (not applied).
  The one exception is a 401: Jet refused the token before looking at the request, so
  the write is sent once more with a fresh token.
* Every request (token, GET, write) takes a token from one thread-safe bucket, so the
  hook's threads together stay under ``rate_limit_per_second`` (+ ``rate_limit_burst``).
  Any 429 (read or write) pauses that bucket for its ``Retry-After`` and halves its
  rate for every thread; answers that are not 429 let it climb back. A 429 on a write
  raises :class:`~jet.api.errors.JetRateLimited` carrying ``retry_after``: not applied,
  and for the outbox not an attempt.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from airflow.providers.http.hooks.http import HttpHook
from pydantic import BaseModel
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from jet.api.errors import (
    JetAuthError,
    JetHttpError,
    JetNotFound,
    JetRateLimited,
    JetRequestRejected,
    JetRetriesExhausted,
    JetServerError,
    PayloadError,
    WriteOutcomeUnknown,
)
from jet.api.models import (
    AcknowledgeRequest,
    ArchiveRequest,
    CompleteReturnRequest,
    CreateRefundRequest,
    InventoryNode,
    InventoryUpdate,
    OrderDetail,
    OrderStatus,
    OrderUrlList,
    PriceNode,
    PriceUpdate,
    RefundCreated,
    RefundState,
    RefundUrlList,
    ReportRequested,
    ReportState,
    ReturnDetail,
    ReturnUrlList,
    SettlementReport,
    SettlementUrlList,
    ShipRequest,
    SkuUrlList,
    TokenResponse,
    dump_json,
    load_json,
    parse_order,
    parse_payload,
)
from jet.api.ratelimit import TokenBucket

__all__ = ["JET_EXTRA_KEYS", "FetchResult", "JetHook", "JetHookSettings", "JetStats"]

M = TypeVar("M", bound=BaseModel)

#: Statuses a GET is retried on. 429 = rate limited; 5xx gateway/overload errors.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Transport failures a GET is retried on (ReadTimeout and ConnectTimeout are Timeouts;
# a dropped connection is a ConnectionError or, mid-body, a ChunkedEncodingError).
_TRANSIENT_EXCEPTIONS: tuple[type[Exception], ...] = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


@dataclass(frozen=True)
class JetHookSettings:
    """Tunables read from the connection's ``extra`` (all optional).

    :param base_path: path prefix of the API on the host (Jet: ``/api``).
    :param rate_limit_per_second: request budget shared by all threads; ``0`` = none.
        Jet published no number; 20/s is a conservative default.
    :param rate_limit_burst: bucket size (requests that may start at once).
    :param max_concurrency: parallel order-detail fetches, also the HTTP pool size.
    :param connect_timeout: seconds to establish a connection.
    :param read_timeout: seconds to wait for response bytes.
    :param max_retries: retries of a GET after the first attempt.
    :param backoff_base: first backoff ceiling in seconds (doubles per attempt).
    :param backoff_max: backoff ceiling in seconds.
    :param retry_after_max: cap on a server's ``Retry-After`` (seconds).
    :param token_refresh_margin: renew the token this many seconds before ``expires_on``.
    :param progress_interval: seconds between progress log lines of batch fetches.
    :param late_apply_seconds: how long after our client gave up Jet may still apply a
        write; the outbox judges a write of unknown outcome "not applied" only once
        ``connect_timeout + read_timeout + late_apply_seconds`` passed since it was sent.
    :param write_budget_wait: longest a write waits for the rate budget; a write that
        would wait longer is not sent (:class:`~jet.api.errors.JetRateLimited` with
        ``sent=False``), so a ``sending`` action is never older than the timeouts allow.
    :param ready_poll_seconds: how often the ready-orders watcher (``jet.triggers``) polls
        ``GET /orders/ready``; read by the trigger, listed here so it is never sent as a header.
    """

    base_path: str = "/api"
    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 20
    max_concurrency: int = 8
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0
    token_refresh_margin: float = 300.0
    progress_interval: float = 10.0
    late_apply_seconds: float = 10.0
    write_budget_wait: float = 5.0
    ready_poll_seconds: float = 5.0

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any], overrides: Mapping[str, Any] | None = None) -> JetHookSettings:
        """Build settings from a connection's ``extra`` (values may be strings), then ``overrides``."""
        merged = {**{k: v for k, v in extra.items() if k in JET_EXTRA_KEYS}, **(overrides or {})}
        unknown = set(overrides or {}) - JET_EXTRA_KEYS
        if unknown:
            raise ValueError(f"unknown JetHook settings: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in merged or merged[f.name] in (None, ""):
                continue
            raw = merged[f.name]
            try:
                if f.name == "base_path":
                    text = str(raw).strip().strip("/")
                    values[f.name] = f"/{text}" if text else ""
                elif f.type in ("int", int):
                    values[f.name] = int(raw)
                else:
                    values[f.name] = float(raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"connection extra {f.name}={raw!r} is not a number") from exc
        settings = cls(**values)
        settings._check()
        return settings

    def _check(self) -> None:
        if self.rate_limit_per_second < 0:
            raise ValueError("rate_limit_per_second must be >= 0")
        if self.rate_limit_burst < 1 or self.max_concurrency < 1:
            raise ValueError("rate_limit_burst and max_concurrency must be >= 1")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if min(self.connect_timeout, self.read_timeout) <= 0:
            raise ValueError("timeouts must be > 0")
        if not self.ready_poll_seconds >= 1:
            raise ValueError("ready_poll_seconds must be >= 1 (each poll is a request against the budget)")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValueError("backoff_base, backoff_max and retry_after_max must be >= 0")
        if self.late_apply_seconds < 0 or self.write_budget_wait < 0:
            raise ValueError("late_apply_seconds and write_budget_wait must be >= 0")


#: Connection extras that configure JetHook (and are therefore not request headers).
JET_EXTRA_KEYS: frozenset[str] = frozenset(f.name for f in fields(JetHookSettings))


@dataclass
class JetStats:
    """Counters of one hook's traffic (thread-safe through :meth:`add`)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # responses with HTTP 429
    server_errors: int = 0  # responses with HTTP 5xx
    transport_errors: int = 0  # timeouts and connection errors
    token_fetches: int = 0
    token_refreshes_on_401: int = 0
    rate_wait_seconds: float = 0.0  # time spent waiting for the rate budget, summed over threads
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        """Increment counters by name."""
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def snapshot(self) -> dict[str, float]:
        """A consistent copy of the counters."""
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


@dataclass(frozen=True)
class FetchResult:
    """One order fetched by :meth:`JetHook.iter_orders`.

    ``raw`` is always the body exactly as Jet sent it (the loader lands it even when it is
    invalid); ``order`` is set when it parsed, ``error`` when it did not. ``missing`` is
    True when Jet answered 404 for an id it had listed or we held: the order is gone at
    Jet (withdrawn, past Jet's 90 days, another account), which must not stop the others.
    ``unreadable`` is set when Jet would not serve the order at all (retries exhausted, or
    a refusal other than 404): that one order is recorded, the others flow on.
    """

    merchant_order_id: str
    raw: bytes
    order: OrderDetail | None = None
    error: PayloadError | None = None
    missing: bool = False
    unreadable: JetHttpError | None = None

    @property
    def ok(self) -> bool:
        """True when the payload was found and parsed."""
        return self.error is None and not self.missing and self.unreadable is None


class _Progress:
    """Logs ``fetched n/total (rate/s)`` at most every ``interval`` seconds."""

    def __init__(self, hook: JetHook, total: int, interval: float) -> None:
        self.hook = hook
        self.total = total
        self.interval = interval
        self.done = 0
        self.invalid = 0
        self.started = hook._clock()
        self.last_log = self.started

    def tick(self, ok: bool) -> None:
        self.done += 1
        self.invalid += 0 if ok else 1
        now = self.hook._clock()
        if now - self.last_log >= self.interval:
            self.last_log = now
            self.log("progress")

    def log(self, what: str) -> None:
        elapsed = max(self.hook._clock() - self.started, 1e-9)
        stats = self.hook.stats.snapshot()
        self.hook.log.info(
            "order fetch %s: %d/%d orders (%.1f orders/s), %d invalid or missing, %d retries, %d HTTP 429",
            what,
            self.done,
            self.total,
            self.done / elapsed,
            self.invalid,
            stats["retries"],
            stats["rate_limited"],
        )


def _errors_of(response: requests.Response) -> list[str]:
    """Jet's ``{"errors": [...]}`` list, or the body text when it is not that shape."""
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return [text[:500]] if text else []
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return [str(e) for e in data["errors"]]
    return [str(data)[:500]]


def _never_sent(exc: Exception) -> bool:
    """True when the connection was never established, so the server cannot have the request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


class JetHook(HttpHook):
    """Jet merchant API client (see the module docstring for the connection and the rules).

    No I/O happens in ``__init__``: the connection is read, the session built and the token
    fetched on first use. One instance may be shared by threads.

    :param jet_conn_id: Airflow connection id (default ``jet_api``).
    :param overrides: settings that win over the connection's extras (e.g. from a task).
    :param clock: monotonic clock (injectable for tests).
    :param sleep: sleep function used for backoff and rate waits.
    :param rng: ``random()``-like function for jitter.
    """

    conn_name_attr = "http_conn_id"
    default_conn_name = "jet_api"
    conn_type = "http"
    hook_name = "Jet merchant API"

    def __init__(
        self,
        jet_conn_id: str = default_conn_name,
        *,
        overrides: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(method="GET", http_conn_id=jet_conn_id, tcp_keep_alive=False)
        self._overrides = dict(overrides or {})
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self.stats = JetStats()
        self._init_lock = threading.Lock()
        self._settings: JetHookSettings | None = None
        self._credentials: tuple[str, str] | None = None
        self._session: requests.Session | None = None
        self._limiter: TokenBucket | None = None
        self._token_lock = threading.Lock()
        self._authorization: str | None = None
        self._token_generation = 0
        self._token_valid_until = 0.0
        self._skew_reported = False

    # ------------------------------------------------------------------ lazy setup

    @property
    def settings(self) -> JetHookSettings:
        """The effective settings (reads the connection on first access)."""
        self._ensure_ready()
        if self._settings is None:
            raise RuntimeError("JetHook has no settings after reading its connection")
        return self._settings

    def _ensure_ready(self) -> requests.Session:
        session = self._session
        if session is not None:
            return session
        with self._init_lock:
            if self._session is None:
                connection = self.get_connection(self.http_conn_id)
                self._settings = JetHookSettings.from_extra(connection.extra_dejson, self._overrides)
                if not connection.login or not connection.password:
                    raise JetAuthError(
                        f"connection {self.http_conn_id!r} needs login (API user) and password (secret)",
                        method="POST",
                        url="/token",
                    )
                self._credentials = (connection.login, connection.password)
                self._limiter = TokenBucket(
                    self._settings.rate_limit_per_second,
                    self._settings.rate_limit_burst,
                    clock=self._clock,
                    sleep=self._sleep,
                )
                session = self.get_conn(headers={"Accept": "application/json", "Content-Type": "application/json"})
                self._session = _freeze_environment(session, self.base_url)
            return self._session

    def _set_base_url(self, connection: Any) -> None:
        """HttpHook's ``scheme://host:port`` plus the ``base_path`` extra (default ``/api``)."""
        super()._set_base_url(connection)
        path = JetHookSettings.from_extra(connection.extra_dejson, self._overrides).base_path
        self.base_url = self.base_url.rstrip("/") + path

    def _configure_session_from_auth(self, session: requests.Session, connection: Any) -> requests.Session:
        # Jet authenticates with a bearer token per request, never with HTTP Basic auth:
        # sending login/password on every call would leak the secret into every request.
        session.auth = None
        return session

    def _configure_session_from_extra(
        self, session: requests.Session, connection: Any, extra_options: dict[str, Any]
    ) -> requests.Session:
        # HttpHook turns every remaining top-level extra key into a request header; our
        # own settings (rate budget, timeouts, ...) are not headers, so hide them.
        filtered = SimpleNamespace(
            host=connection.host,
            extra_dejson={k: v for k, v in connection.extra_dejson.items() if k not in JET_EXTRA_KEYS},
        )
        return super()._configure_session_from_extra(session, filtered, extra_options)

    def _configure_session_from_mount_adapters(self, session: requests.Session) -> requests.Session:
        # One pool sized to the fetch concurrency, so every worker thread reuses a
        # keep-alive connection. max_retries=0: urllib3 must never resend anything on
        # its own (writes would be duplicated); GET retries are ours, with backoff.
        size = self._settings.max_concurrency if self._settings else 8
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=size, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def close(self) -> None:
        """Close the pooled session (a new one is built on next use)."""
        with self._init_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    # ------------------------------------------------------------------ transport

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path (``/orders/ready``) or of a Jet relative URL."""
        if path.startswith(("http://", "https://")):
            return path
        self._ensure_ready()
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _send(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        authorization: str | None = None,
        write: bool = False,
    ) -> requests.Response:
        """One HTTP exchange, after taking a token from the rate bucket.

        A write waits for the budget at most ``write_budget_wait`` seconds; beyond that
        it is not sent (:class:`JetRateLimited`, ``sent=False``). Any 429 slows the
        budget down for every thread (reads and writes); other answers let it recover.
        """
        session = self._ensure_ready()
        if self._limiter is None or self._settings is None:
            raise RuntimeError("JetHook has no rate budget after reading its connection")
        if write:
            wait = self._limiter.reserve_within(self._settings.write_budget_wait)
            if wait is None:
                estimate = self._limiter.wait_estimate()
                raise JetRateLimited(
                    f"{method} {url}: not sent, the rate budget is paused for {estimate:.1f}s after HTTP 429",
                    retry_after=estimate,
                    sent=False,
                    method=method,
                    url=url,
                )
            if wait > 0:
                self._sleep(wait)
            waited = wait
        else:
            waited = self._limiter.acquire()
        self.stats.add(requests=1, rate_wait_seconds=waited)
        headers = {"Authorization": authorization} if authorization else None
        try:
            response = session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
            )
        except _TRANSIENT_EXCEPTIONS:
            self.stats.add(transport_errors=1)
            raise
        if response.status_code == 429:
            self.stats.add(rate_limited=1)
            pause = _retry_after(response)
            self._limiter.slow_down(
                min(1.0 if pause is None else pause, self._settings.retry_after_max), caller_waits=not write
            )
            self.log.warning(
                "%s %s -> HTTP 429: the shared budget pauses and slows to %.1f/s", method, url, self._limiter.rate
            )
        else:
            self._limiter.recover()
            if response.status_code >= 500:
                self.stats.add(server_errors=1)
        self.log.debug("%s %s -> %s", method, url, response.status_code)
        return response

    def _send_authed(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        write: bool = False,
    ) -> requests.Response:
        """Send with the bearer token; on 401 renew the token once and resend once.

        Resending is safe even for writes: a 401 means Jet refused the token before
        processing the request. A second 401 raises :class:`JetAuthError`.
        """
        authorization, generation = self._get_authorization()
        response = self._send(method, url, data=data, params=params, authorization=authorization, write=write)
        if response.status_code != 401:
            return response
        self.log.info("Jet answered 401 to %s %s: renewing the token once", method, url)
        self.stats.add(token_refreshes_on_401=1)
        self._invalidate_token(generation)
        authorization, _ = self._get_authorization()
        response = self._send(method, url, data=data, params=params, authorization=authorization, write=write)
        if response.status_code == 401:
            raise JetAuthError(
                f"{method} {url}: 401 again with a fresh token",
                method=method,
                url=url,
                status=401,
                errors=_errors_of(response),
                body=response.content,
            )
        return response

    def _get_authorization(self) -> tuple[str, int]:
        """The cached ``Authorization`` value and its generation; fetch one if needed."""
        with self._token_lock:  # one thread fetches, the others wait for its token
            if self._authorization is None or self._clock() >= self._token_valid_until:
                self._fetch_token_locked()
            if self._authorization is None:
                raise RuntimeError("Jet's token endpoint gave no token")
            return self._authorization, self._token_generation

    def _invalidate_token(self, generation: int) -> None:
        with self._token_lock:
            # Only drop the token that was refused; another thread may have renewed it already.
            if generation == self._token_generation:
                self._authorization = None

    def _fetch_token_locked(self) -> None:
        if self._credentials is None or self._settings is None:
            raise RuntimeError("JetHook fetches a token only after reading its connection")
        user, secret = self._credentials
        url = self.url_for("/token")
        body = dump_json_obj({"user": user, "pass": secret})
        # The token request is a POST but has no business effect, so unlike writes it is
        # retried like a GET.
        response = self._with_retries("POST", url, lambda: self._send("POST", url, data=body))
        if response.status_code != 200:
            raise JetAuthError(
                f"POST {url}: token request refused with HTTP {response.status_code}: {_errors_of(response)}",
                method="POST",
                url=url,
                status=response.status_code,
                errors=_errors_of(response),
                body=response.content,
            )
        token = parse_payload(TokenResponse, response.content)
        self.stats.add(token_fetches=1)
        self._token_generation += 1
        self._authorization = token.authorization
        self._token_valid_until = self._token_deadline(token, response)

    def _token_deadline(self, token: TokenResponse, response: requests.Response) -> float:
        """Monotonic instant after which the cached token is renewed before use."""
        if token.expires_on is None:
            return float("inf")  # legacy shape without expiry: renew on 401 only
        # Measure the lifetime against the server's own clock (Date header) when it sent
        # one, so a skewed local clock cannot make every token look expired.
        server_now = _http_date(response.headers.get("Date")) or datetime.now(UTC)
        lifetime = (token.expires_on - server_now).total_seconds()
        if lifetime <= 0:
            # A token the server just issued cannot be expired: the server's clock and
            # its Date header disagree (e.g. the sandbox's frozen test clock). Keep the
            # token until Jet answers 401. Said once per hook, not on every renewal.
            if not self._skew_reported:
                self._skew_reported = True
                self.log.warning(
                    "token expires_on %s is not after the server time %s (clock skew?): renewing on 401 only",
                    token.expires_on.isoformat(),
                    server_now.isoformat(),
                )
            return float("inf")
        margin = min(self.settings.token_refresh_margin, lifetime / 2)
        return self._clock() + lifetime - margin

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        s = self.settings
        if retry_after is not None:
            return min(retry_after, s.retry_after_max)
        # "Full jitter": uniform in [0, min(cap, base * 2^(n-1))] spreads retrying threads.
        return self._rng() * min(s.backoff_max, s.backoff_base * 2 ** (attempt - 1))

    def _with_retries(self, method: str, url: str, attempt_fn: Callable[[], requests.Response]) -> requests.Response:
        """Call ``attempt_fn`` until it returns a non-retryable response or attempts run out."""
        attempts = self.settings.max_retries + 1
        last_error = ""
        last_response: requests.Response | None = None
        cause: Exception | None = None
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                response = attempt_fn()
            except _TRANSIENT_EXCEPTIONS as exc:
                cause, last_response = exc, None
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    return response
                cause, last_response = None, response
                last_error = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
            if attempt == attempts:
                break
            delay = self._backoff(attempt, retry_after)
            self.stats.add(retries=1)
            self.log.warning(
                "%s %s failed (%s), attempt %d/%d: retrying in %.2fs", method, url, last_error, attempt, attempts, delay
            )
            self._sleep(delay)
        raise JetRetriesExhausted(
            f"{method} {url} failed after {attempts} attempts; last error: {last_error}",
            attempts=attempts,
            last_error=last_error,
            method=method,
            url=url,
            status=last_response.status_code if last_response is not None else None,
            errors=_errors_of(last_response) if last_response is not None else None,
            body=last_response.content if last_response is not None else None,
        ) from cause

    def _get(self, path: str, params: Mapping[str, Any] | None = None, *, auth: bool = True) -> requests.Response:
        """GET with retries; raises on any non-2xx outcome."""
        url = self.url_for(path)
        if auth:
            response = self._with_retries("GET", url, lambda: self._send_authed("GET", url, params=params))
        else:
            response = self._with_retries("GET", url, lambda: self._send("GET", url, params=params))
        if 200 <= response.status_code < 300:
            return response
        raise _rejection("GET", url, response)

    def _write(self, method: str, path: str, body: BaseModel | Mapping[str, Any] | None) -> requests.Response:
        """PUT/POST/PATCH exactly once; see the module docstring for the outcome rules."""
        url = self.url_for(path)
        data = dump_json(body) if isinstance(body, BaseModel) else (None if body is None else dump_json_obj(body))
        try:
            response = self._send_authed(method, url, data=data, write=True)
        except _TRANSIENT_EXCEPTIONS as exc:
            raise WriteOutcomeUnknown(
                f"{method} {url}: {type(exc).__name__} ({exc}); Jet may or may not have applied it — "
                "re-read the resource before sending again",
                method=method,
                url=url,
                request_sent=not _never_sent(exc),
            ) from exc
        status = response.status_code
        self.log.info("%s %s -> HTTP %d", method, url, status)
        if 200 <= status < 300:
            return response
        if status >= 500:
            raise JetServerError(
                f"{method} {url}: HTTP {status} {_errors_of(response)}; outcome unknown — re-read before resending",
                method=method,
                url=url,
                status=status,
                errors=_errors_of(response),
                body=response.content,
            )
        raise _rejection(method, url, response)

    # ------------------------------------------------------------------ orders

    def list_order_urls(
        self,
        status: str | OrderStatus,
        *,
        fulfillment_node: str | None = None,
        is_cancelled: bool | None = None,
    ) -> list[str]:
        """``GET /orders/{status}``: relative order URLs as Jet listed them (duplicates kept)."""
        params: dict[str, str] = {}
        if fulfillment_node:
            params["fulfillment_node"] = fulfillment_node
        if is_cancelled is not None:
            params["isCancelled"] = "true" if is_cancelled else "false"
        response = self._get(f"/orders/{OrderStatus(status).value}", params or None)
        return parse_payload(OrderUrlList, response.content).order_urls

    def list_order_ids(
        self,
        status: str | OrderStatus,
        *,
        fulfillment_node: str | None = None,
        is_cancelled: bool | None = None,
    ) -> list[str]:
        """Merchant order ids in ``status`` (last URL segment), de-duplicated in listed order."""
        urls = self.list_order_urls(status, fulfillment_node=fulfillment_node, is_cancelled=is_cancelled)
        return OrderUrlList(order_urls=urls).ids

    def list_tagged_order_ids(self, status: str | OrderStatus, tag: str, *, tagged: bool = True) -> list[str]:
        """``GET /orders/{status}/{tag}/{true|false}``: orders that do (not) carry ``tag``."""
        path = f"/orders/{OrderStatus(status).value}/{_seg(tag)}/{'true' if tagged else 'false'}"
        return parse_payload(OrderUrlList, self._get(path).content).ids

    def list_directed_cancel_ids(self) -> list[str]:
        """``GET /orders/directedCancel`` (deprecated by Jet, still served): orders with open cancel requests."""
        return parse_payload(OrderUrlList, self._get("/orders/directedCancel").content).ids

    def get_order_raw(self, merchant_order_id: str) -> bytes:
        """The order detail body exactly as Jet sent it."""
        return self._get(f"/orders/withoutShipmentDetail/{_seg(merchant_order_id)}").content

    def get_order(self, merchant_order_id: str) -> OrderDetail:
        """The validated order; raises :class:`PayloadError` (carrying the raw body) if invalid."""
        return parse_order(self.get_order_raw(merchant_order_id))

    def fetch_order(self, merchant_order_id: str) -> FetchResult:
        """Fetch one order; an invalid payload, a 404, or a read Jet keeps failing or
        refuses is returned in the result; an authentication failure raises."""
        try:
            raw = self.get_order_raw(merchant_order_id)
        except JetNotFound:
            self.log.warning("order %s: not found at Jet (404)", merchant_order_id)
            return FetchResult(merchant_order_id, b"", missing=True)
        except (JetRetriesExhausted, JetRequestRejected) as exc:  # this order only: the others flow on
            self.log.error("order %s: Jet would not serve it: %s", merchant_order_id, exc)
            return FetchResult(merchant_order_id, b"", unreadable=exc)
        try:
            return FetchResult(merchant_order_id, raw, order=parse_order(raw))
        except PayloadError as exc:
            self.log.warning("order %s: invalid payload: %s", merchant_order_id, exc)
            return FetchResult(merchant_order_id, raw, error=exc)

    def iter_orders(self, merchant_order_ids: Iterable[str]) -> Iterator[FetchResult]:
        """Fetch order details concurrently, yielding one :class:`FetchResult` per distinct id.

        Up to ``max_concurrency`` requests run at once over the pooled session, all under
        the shared rate budget; results come in completion order. An invalid payload, a
        404 and a read Jet kept failing are yielded (see :class:`FetchResult`) and do not
        stop the others; anything else (an authentication failure) is raised, and fetches
        not yet started are cancelled. Progress is logged every ``progress_interval`` seconds.
        """
        ids = list(dict.fromkeys(merchant_order_ids))
        if not ids:
            return
        settings = self.settings
        workers = min(settings.max_concurrency, len(ids))
        progress = _Progress(self, len(ids), settings.progress_interval)
        remaining = iter(ids)
        pending: set[Future[FetchResult]] = set()
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jet-fetch")
        finished = False
        try:
            while True:
                # Keep a bounded number of fetches queued so memory does not grow with the batch.
                while len(pending) < 2 * workers:
                    next_id = next(remaining, None)
                    if next_id is None:
                        break
                    pending.add(executor.submit(self.fetch_order, next_id))
                if not pending:
                    break
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()  # re-raises an HTTP failure
                    progress.tick(result.ok)
                    yield result
            finished = True
            progress.log("done")
        finally:
            for future in pending:
                future.cancel()
            # On failure or early close, do not wait for in-flight fetches (they may be
            # backing off); they finish in the background and their results are dropped.
            executor.shutdown(wait=finished, cancel_futures=True)

    def acknowledge(self, merchant_order_id: str, body: AcknowledgeRequest | Mapping[str, Any]) -> None:
        """``PUT /orders/{id}/acknowledge`` (validated against :class:`AcknowledgeRequest`)."""
        request = _as(AcknowledgeRequest, body)
        self._write("PUT", f"/orders/{_seg(merchant_order_id)}/acknowledge", request)

    def ship(self, merchant_order_id: str, body: ShipRequest | Mapping[str, Any]) -> None:
        """``PUT /orders/{id}/shipped``: shipments and/or cancellations (:class:`ShipRequest`)."""
        request = _as(ShipRequest, body)
        self._write("PUT", f"/orders/{_seg(merchant_order_id)}/shipped", request)

    def tag_order(self, merchant_order_id: str, tag: str | None) -> None:
        """``PUT /orders/{id}/tag``; ``None`` or ``""`` clears the tag."""
        self._write("PUT", f"/orders/{_seg(merchant_order_id)}/tag", {"tag": tag} if tag else {})

    # ------------------------------------------------------------------ returns and refunds

    def list_returns(self, status: str) -> list[str]:
        """Return ids in ``status`` (``created``, ``inprogress``, ``completed by merchant``)."""
        return parse_payload(ReturnUrlList, self._get(f"/returns/{_seg(status)}").content).ids

    def get_return_raw(self, return_id: str) -> bytes:
        """The return's body exactly as Jet served it (kept raw when landing returns)."""
        return self._get(f"/returns/state/{_seg(return_id)}").content

    def get_return(self, return_id: str) -> ReturnDetail:
        """``GET /returns/state/{id}``."""
        return parse_payload(ReturnDetail, self._get(f"/returns/state/{_seg(return_id)}").content)

    def complete_return(self, return_id: str, body: CompleteReturnRequest | Mapping[str, Any]) -> None:
        """``PUT /returns/{id}/complete``."""
        self._write("PUT", f"/returns/{_seg(return_id)}/complete", _as(CompleteReturnRequest, body))

    def create_refund(
        self, merchant_order_id: str, alt_refund_id: str, body: CreateRefundRequest | Mapping[str, Any]
    ) -> RefundCreated:
        """``POST /refunds/{order}/{alt_refund_id}``; returns Jet's refund authorization id.

        Not retried: on :class:`WriteOutcomeUnknown`, look the refund up by
        ``alt_refund_id`` (:meth:`get_refund` accepts it) before creating it again.
        """
        response = self._write(
            "POST",
            f"/refunds/{_seg(merchant_order_id)}/{_seg(alt_refund_id)}",
            _as(CreateRefundRequest, body),
        )
        return parse_payload(RefundCreated, response.content)

    def get_refund_raw(self, refund_id: str) -> bytes:
        """The refund's state body exactly as Jet served it (kept raw when quarantined)."""
        return self._get(f"/refunds/state/{_seg(refund_id)}").content

    def get_refund(self, refund_id: str) -> RefundState:
        """``GET /refunds/state/{refund_authorization_id or alt_refund_id}``."""
        return parse_payload(RefundState, self.get_refund_raw(refund_id))

    def list_refunds(self, status: str) -> list[str]:
        """Refund ids in ``status`` (``created``, ``processing``, ``accepted``, ``rejected``)."""
        return parse_payload(RefundUrlList, self._get(f"/refunds/{_seg(status)}").content).ids

    # ------------------------------------------------------------------ settlement and reports

    def list_settlement_ids(self, days: int) -> list[str]:
        """Settlement report ids of the last ``days`` days."""
        if days < 1:
            raise ValueError("days must be >= 1")
        return parse_payload(SettlementUrlList, self._get(f"/settlement/{int(days)}").content).ids

    def get_settlement_report_raw(self, settlement_report_id: str) -> bytes:
        """``GET /settlement/report/{id}``: the body exactly as served (for raw landing)."""
        return self._get(f"/settlement/report/{_seg(settlement_report_id)}").content

    def get_settlement_report(self, settlement_report_id: str) -> SettlementReport:
        """``GET /settlement/report/{id}``."""
        response = self._get(f"/settlement/report/{_seg(settlement_report_id)}")
        return parse_payload(SettlementReport, response.content)

    def request_settlement_details(self, settlement_report_id: str) -> str:
        """``POST /reports/SettlementDetails`` for one settlement; returns the bulk report id.

        A POST, so never retried; a lost request is harmless to repeat by the caller
        (it only creates another report).
        """
        response = self._write("POST", "/reports/SettlementDetails", {"settlement_report_id": settlement_report_id})
        return parse_payload(ReportRequested, response.content).report_id

    def get_report_state(self, report_id: str) -> ReportState:
        """``GET /reports/state/{report_id}``; ``report_url`` is set once ``Ready``."""
        return parse_payload(ReportState, self._get(f"/reports/state/{_seg(report_id)}").content)

    def download(self, url: str) -> bytes:
        """GET a file (e.g. a report's ``report_url``), with the GET retry rules.

        The bearer token is only sent to URLs under this connection's base URL: a signed
        blob URL on another host must not receive Jet credentials.
        """
        absolute = self.url_for(url)
        own = absolute.startswith(self.base_url.rstrip("/") + "/")
        return self._get(absolute, auth=own).content

    # ------------------------------------------------------------------ catalog

    def update_inventory(
        self,
        merchant_sku: str,
        quantities: InventoryUpdate | Mapping[str, int],
        *,
        replace: bool = True,
    ) -> None:
        """Set stock per fulfillment node: PUT replaces every node, PATCH (``replace=False``) the given ones."""
        if isinstance(quantities, InventoryUpdate):
            body = quantities
        else:
            body = InventoryUpdate(
                fulfillment_nodes=[
                    InventoryNode(fulfillment_node_id=node, quantity=qty) for node, qty in quantities.items()
                ]
            )
        self._write("PUT" if replace else "PATCH", f"/merchant-skus/{_seg(merchant_sku)}/inventory", body)

    def update_price(
        self,
        merchant_sku: str,
        price: Decimal | PriceUpdate,
        node_prices: Mapping[str, Decimal] | None = None,
    ) -> None:
        """``PUT /merchant-skus/{sku}/price`` (the price the merchant is paid)."""
        if isinstance(price, PriceUpdate):
            body = price
        else:
            nodes = (
                [PriceNode(fulfillment_node_id=n, fulfillment_node_price=p) for n, p in node_prices.items()]
                if node_prices
                else None
            )
            body = PriceUpdate(price=price, fulfillment_nodes=nodes)
        self._write("PUT", f"/merchant-skus/{_seg(merchant_sku)}/price", body)

    def archive_sku(self, merchant_sku: str, archived: bool = True) -> None:
        """``PUT /merchant-skus/{sku}/status/archive`` (``archived=False`` makes it sellable again)."""
        self._write("PUT", f"/merchant-skus/{_seg(merchant_sku)}/status/archive", ArchiveRequest(is_archived=archived))

    def list_skus(self, offset: int = 0, limit: int = 100) -> list[str]:
        """One page of merchant SKUs (``GET /merchant-skus?offset=&limit=``)."""
        response = self._get("/merchant-skus", {"offset": offset, "limit": limit})
        return parse_payload(SkuUrlList, response.content).skus

    def iter_skus(self, page_size: int = 100) -> Iterator[str]:
        """Every merchant SKU, page by page."""
        offset = 0
        while True:
            page = self.list_skus(offset, page_size)
            yield from page
            if len(page) < page_size:
                return
            offset += page_size

    def list_skus_by_status(self, status: str, start: int = 0, count: int = 100) -> list[str]:
        """One page of the SKUs in one product status (``GET /merchant-skus/bystatus/{status}/{start}/{count}``).

        Jet's older listing (seen in one client only): a 404 for the path itself means
        this Jet does not have it, and the caller falls back to one GET per SKU.
        """
        response = self._get(f"/merchant-skus/bystatus/{_seg(status)}/{int(start)}/{int(count)}")
        return parse_payload(SkuUrlList, response.content).skus

    def iter_skus_by_status(self, status: str, page_size: int = 100) -> Iterator[str]:
        """Every SKU in one product status, page by page."""
        start = 0
        while True:
            page = self.list_skus_by_status(status, start, page_size)
            yield from page
            if len(page) < page_size:
                return
            start += page_size

    def get_sku_raw(self, merchant_sku: str) -> dict[str, Any]:
        """``GET /merchant-skus/{sku}``: the product with Jet's ``status`` and ``is_archived``."""
        data = load_json(self._get(f"/merchant-skus/{_seg(merchant_sku)}").content)
        if not isinstance(data, dict):
            raise PayloadError("$", f"GET /merchant-skus/{merchant_sku}: not a JSON object", raw=str(data)[:500])
        return data

    def get_inventory(self, merchant_sku: str) -> dict[str, int]:
        """``GET /merchant-skus/{sku}/inventory``: quantity per fulfillment node as Jet has it."""
        data = load_json(self._get(f"/merchant-skus/{_seg(merchant_sku)}/inventory").content)
        nodes = data.get("fulfillment_nodes") if isinstance(data, dict) else None
        return {str(n["fulfillment_node_id"]): int(n["quantity"]) for n in nodes or []}

    def get_price(self, merchant_sku: str) -> tuple[Decimal | None, dict[str, Decimal]]:
        """``GET /merchant-skus/{sku}/price``: the price and the per-node prices as Jet has them."""
        data = load_json(self._get(f"/merchant-skus/{_seg(merchant_sku)}/price").content)
        if not isinstance(data, dict):
            return None, {}
        price = data.get("price")
        nodes = {
            str(n["fulfillment_node_id"]): Decimal(str(n["fulfillment_node_price"]))
            for n in data.get("fulfillment_nodes") or []
        }
        return (None if price is None else Decimal(str(price))), nodes

    # ------------------------------------------------------------------ misc

    def check_auth(self) -> bool:
        """``GET /authcheck``: True when Jet accepts our token."""
        return self._get("/authcheck").json() == "This message is authorized."

    def test_connection(self) -> tuple[bool, str]:
        """Airflow UI "Test": fetch a token and call ``/authcheck``."""
        try:
            ok = self.check_auth()
        except Exception as exc:  # noqa: BLE001 - the UI shows the message instead of a traceback
            return False, f"{type(exc).__name__}: {exc}"
        return (True, "Jet accepted the credentials") if ok else (False, "unexpected /authcheck answer")


# ---------------------------------------------------------------------- helpers


def dump_json_obj(body: Mapping[str, Any]) -> bytes:
    """Compact JSON of a plain mapping of strings/ints/bools (for bodies too small to deserve a model)."""
    return json.dumps(body, separators=(",", ":")).encode()


def _freeze_environment(session: requests.Session, base_url: str) -> requests.Session:
    """Resolve proxy / CA-bundle environment variables once, then stop consulting them.

    With ``trust_env`` on, requests re-reads the whole environment (proxies) and
    ``~/.netrc`` on *every* request: about a millisecond of CPU each, which matters at
    hundreds of requests per second. Worse, a netrc entry for the host would replace our
    bearer ``Authorization`` header with Basic auth. Proxies are resolved for the API's
    base URL (honouring ``NO_PROXY``) and pinned on the session.
    """
    if not session.trust_env:
        return session
    env = session.merge_environment_settings(base_url, {}, None, None, None)
    for scheme, proxy in (env.get("proxies") or {}).items():
        session.proxies.setdefault(scheme, proxy)
    if session.verify is True and isinstance(env.get("verify"), str):
        session.verify = env["verify"]  # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
    session.trust_env = False
    return session


def _as(model: type[M], body: M | Mapping[str, Any]) -> M:
    return body if isinstance(body, model) else model.model_validate(body)


def _seg(value: str) -> str:
    """Quote a value for use as one URL path segment (``completed by merchant`` → ``completed%20by%20merchant``)."""
    text = str(value)
    if not text:
        raise ValueError("empty path segment")
    return quote(text, safe="")


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = _http_date(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when else None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _rejection(method: str, url: str, response: requests.Response) -> JetHttpError:
    status = response.status_code
    errors = _errors_of(response)
    kwargs: dict[str, Any] = {
        "method": method,
        "url": url,
        "status": status,
        "errors": errors,
        "body": response.content,
    }
    message = f"{method} {url}: HTTP {status} {errors}"
    if status == 404:
        return JetNotFound(message, **kwargs)
    if status == 429:
        return JetRateLimited(message + " (not applied)", retry_after=_retry_after(response), **kwargs)
    if 400 <= status < 500:
        return JetRequestRejected(message, **kwargs)
    return JetHttpError(message, **kwargs)
