"""The ready-orders watcher: an event trigger that polls Jet's ready list every few seconds.

It runs in Airflow's triggerer (asynchronous, one small loop for the whole deployment)
behind the ``jet_ready_orders`` Asset's ``AssetWatcher``. Each poll costs one request
(``GET /orders/ready``; a token about once an hour), so at the default 5 s it uses a
hundredth of a 20 requests/s budget. It fires only when Jet lists ready orders that no
ingestion has seen yet (not in ``jet.orders``, not quarantined, not missing at Jet); the
event's payload names them, and ``jet_new_orders`` lands exactly those and decides them.

Duplicates are expected and harmless (docs/event-driven.md): the trigger remembers what
it signalled and signals an order again only when it is still not landed after
``resignal_after`` seconds (its run failed, or the event was lost while the DAG was
paused). A restarted triggerer forgets and may signal the same orders once more; the
ingestion upserts and the decider's lock and outbox keys make a second run a no-op.

The http provider's ``HttpEventTrigger`` cannot be used: it knows basic auth only, and
Jet wants a bearer token from ``POST /token``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from jet.dag_defaults import JET_CONN_ID, WAREHOUSE_CONN_ID

log = logging.getLogger(__name__)

#: Seconds between polls when neither the trigger nor the connection says otherwise.
DEFAULT_POLL_SECONDS = 5.0
#: The fastest poll accepted: one request a second is already 5 % of Jet's default budget.
MIN_POLL_SECONDS = 1.0
#: An order signalled but still not landed after this long is signalled again (a run
#: lands in seconds; the new event also frees a run Airflow left queued).
DEFAULT_RESIGNAL_SECONDS = 60.0


class SignalMemory:
    """Which not-yet-landed orders were already signalled, and when (monotonic seconds).

    Pure bookkeeping, so the duplicate rules are unit-testable without a triggerer.
    """

    def __init__(self, resignal_after: float) -> None:
        if resignal_after <= 0:
            raise ValueError(f"resignal_after must be > 0 seconds, not {resignal_after!r}")
        self.resignal_after = resignal_after
        self._signalled: dict[str, float] = {}

    def pick(self, not_landed: Sequence[str], now: float) -> list[str]:
        """The ids to signal now: never signalled, or signalled ``resignal_after`` ago and
        still not landed. Ids that landed (absent from ``not_landed``) are forgotten."""
        current = set(not_landed)
        self._signalled = {i: t for i, t in self._signalled.items() if i in current}
        fresh = [i for i in not_landed if now - self._signalled.get(i, -float("inf")) >= self.resignal_after]
        for order_id in fresh:
            self._signalled[order_id] = now
        return fresh


def poll_seconds(configured: Any, source: str) -> float:
    """A poll interval as a number of seconds >= :data:`MIN_POLL_SECONDS`, or a clear error."""
    try:
        value = float(configured)
    except (TypeError, ValueError):
        raise ValueError(f"{source}: poll interval {configured!r} is not a number of seconds") from None
    if not value >= MIN_POLL_SECONDS:  # also refuses NaN
        raise ValueError(
            f"{source}: poll interval {value:g} s is below {MIN_POLL_SECONDS:g} s, "
            "which would spend Jet's request budget on polling"
        )
    return value


class ReadyOrdersTrigger(BaseEventTrigger):
    """Fire ``{"merchant_order_ids": [...]}`` when Jet lists ready orders not yet landed.

    :param jet_conn_id: the Jet API connection (its extra ``ready_poll_seconds`` sets the
        poll interval unless ``poll_interval`` is given here; ``base_path`` as for JetHook).
    :param warehouse_conn_id: the warehouse, asked which listed orders are landed.
    :param poll_interval: seconds between polls (overrides the connection extra).
    :param resignal_after: seconds before a signalled, still unlanded order is signalled again.
    :param max_consecutive_failures: failed polls in a row before the trigger raises (the
        triggerer logs the error and restarts the watcher).
    """

    def __init__(
        self,
        jet_conn_id: str = JET_CONN_ID,
        warehouse_conn_id: str = WAREHOUSE_CONN_ID,
        poll_interval: float | None = None,
        resignal_after: float = DEFAULT_RESIGNAL_SECONDS,
        max_consecutive_failures: int = 10,
    ) -> None:
        super().__init__()
        if poll_interval is not None:
            poll_seconds(poll_interval, "ReadyOrdersTrigger(poll_interval=...)")
        if max_consecutive_failures < 1:
            raise ValueError("max_consecutive_failures must be >= 1")
        SignalMemory(resignal_after)  # validates
        self.jet_conn_id = jet_conn_id
        self.warehouse_conn_id = warehouse_conn_id
        self.poll_interval = poll_interval
        self.resignal_after = resignal_after
        self.max_consecutive_failures = max_consecutive_failures

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "jet_conn_id": self.jet_conn_id,
                "warehouse_conn_id": self.warehouse_conn_id,
                "poll_interval": self.poll_interval,
                "resignal_after": self.resignal_after,
                "max_consecutive_failures": self.max_consecutive_failures,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll forever; yield one event per poll that finds orders to signal."""
        watcher = await ReadyOrdersPoller.open(self.jet_conn_id, self.warehouse_conn_id, self.poll_interval)
        memory = SignalMemory(self.resignal_after)
        failures = 0
        self.log.info("watching Jet's ready orders every %g s", watcher.interval)
        try:
            while True:
                try:
                    not_landed, listed = await watcher.not_landed()
                except Exception as exc:  # any failed poll: count it, say it, try again
                    failures += 1
                    if failures >= self.max_consecutive_failures:
                        raise
                    self.log.warning("poll %d/%d failed: %r", failures, self.max_consecutive_failures, exc)
                    await watcher.reset()
                else:
                    failures = 0
                    fresh = memory.pick(not_landed, time.monotonic())
                    if fresh:
                        self.log.info("%d ready orders not landed yet (of %d listed): %s", len(fresh), listed, fresh)
                        yield TriggerEvent(
                            {
                                "merchant_order_ids": fresh,
                                "listed": listed,
                                "seen_at": datetime.now(UTC).isoformat(),
                            }
                        )
                await asyncio.sleep(watcher.interval)
        finally:
            await watcher.close()


class ReadyOrdersPoller:
    """One poll: Jet's ready list, minus what the warehouse has seen. Holds the HTTP
    client, the bearer token and the warehouse connection between polls."""

    def __init__(self, base_url: str, credentials: tuple[str, str], warehouse: dict[str, Any], interval: float):
        self.base_url = base_url
        self.credentials = credentials
        self.warehouse = warehouse
        self.interval = interval
        self._http: Any = None
        self._db: Any = None
        self._authorization: str | None = None

    @classmethod
    async def open(cls, jet_conn_id: str, warehouse_conn_id: str, poll_interval: float | None) -> ReadyOrdersPoller:
        from airflow.sdk import BaseHook

        jet = await BaseHook.aget_connection(jet_conn_id)
        wh = await BaseHook.aget_connection(warehouse_conn_id)
        extra = jet.extra_dejson or {}
        if poll_interval is None:
            interval = poll_seconds(
                extra.get("ready_poll_seconds", DEFAULT_POLL_SECONDS), f"connection {jet_conn_id} ready_poll_seconds"
            )
        else:
            interval = poll_seconds(poll_interval, "ReadyOrdersTrigger(poll_interval=...)")
        base_path = str(extra.get("base_path", "/api")).strip().strip("/")
        port = f":{jet.port}" if jet.port else ""
        base_url = f"{jet.schema or 'https'}://{jet.host}{port}" + (f"/{base_path}" if base_path else "")
        warehouse = {
            "host": wh.host or "127.0.0.1",
            "port": wh.port or 5432,
            "user": wh.login,
            "password": wh.password or None,
            "dbname": wh.schema,
            "application_name": "jetflow ready-orders watcher",
        }
        return cls(base_url, (jet.login or "", jet.password or ""), warehouse, interval)

    async def _client(self) -> Any:
        import httpx

        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(10.0, connect=5.0))
        return self._http

    async def _token(self) -> str:
        if self._authorization is None:
            from jet.api.models import TokenResponse, parse_payload

            user, secret = self.credentials
            client = await self._client()
            response = await client.post("/token", json={"user": user, "pass": secret})
            if response.status_code != 200:
                raise RuntimeError(f"POST {self.base_url}/token: HTTP {response.status_code}: {response.text[:200]}")
            self._authorization = parse_payload(TokenResponse, response.content).authorization
        return self._authorization

    async def ready_ids(self) -> list[str]:
        """``GET /orders/ready`` (one new token and one retry on 401)."""
        from jet.api.models import OrderUrlList, parse_payload

        client = await self._client()
        for attempt in (1, 2):
            response = await client.get("/orders/ready", headers={"Authorization": await self._token()})
            if response.status_code == 401 and attempt == 1:
                self._authorization = None
                continue
            if response.status_code != 200:
                raise RuntimeError(f"GET {self.base_url}/orders/ready: HTTP {response.status_code}")
            return parse_payload(OrderUrlList, response.content).ids
        raise AssertionError("unreachable")

    async def landed_filter(self, ids: Iterable[str]) -> list[str]:
        """The ids (in listed order) that no ingestion has seen."""
        import psycopg

        from jet.sql import read_sql

        ids = list(ids)
        if not ids:
            return []
        if self._db is None:
            self._db = await psycopg.AsyncConnection.connect(autocommit=True, **self.warehouse)
        cursor = await self._db.execute(read_sql("triggers_not_landed.sql"), {"ids": ids})
        return [row[0] for row in await cursor.fetchall()]

    async def not_landed(self) -> tuple[list[str], int]:
        """(ready ids not landed yet, how many Jet listed)."""
        ids = await self.ready_ids()
        return await self.landed_filter(ids), len(ids)

    async def reset(self) -> None:
        """After a failure: drop the token and the connections, the next poll opens new ones."""
        await self.close()

    async def close(self) -> None:
        self._authorization = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._db is not None:
            await self._db.close()
            self._db = None
