"""JetHook's HTTP rules against a scripted loopback server (real HTTP, nothing mocked).

A tiny stdlib server answers from a per-test script, so each rule (401 renewal, GET
retries, Retry-After, writes never retried, error mapping) is checked exactly and
fast. The hook's ``sleep`` is injected to record backoff waits instead of sleeping.
The same rules are exercised against the Jet sandbox in
``tests/integration/api/test_jet_hook.py``.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from jet.api.errors import (
    JetAuthError,
    JetNotFound,
    JetRateLimited,
    JetRequestRejected,
    JetRetriesExhausted,
    JetServerError,
    WriteOutcomeUnknown,
)
from jet.api.hook import JetHook
from tests.unit.api.payloads import VALID_ORDER_TEXT

pytestmark = pytest.mark.unit

ORDER_ID = "4b1f3c0d9e8a4b7c9d2e6f10a3b5c7d9"


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the socket without answering


@dataclass
class Script:
    """Scripted answers per ``METHOD path``; the last reply of a queue repeats."""

    replies: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    log: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, key: str, *replies: Reply) -> None:
        self.replies[key].extend(replies)

    def next(self, key: str) -> Reply | None:
        with self.lock:
            queue = self.replies.get(key)
            if not queue:
                return None
            return queue.popleft() if len(queue) > 1 else queue[0]

    def calls(self, key: str) -> list[dict[str, Any]]:
        return [c for c in self.log if f"{c['method']} {c['path']}" == key]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            key = f"{self.command} {path}"
            with script.lock:
                script.log.append(
                    {"method": self.command, "path": path, "auth": self.headers.get("Authorization"), "body": body}
                )
            reply = script.next(key)
            if reply is None and key == "POST /api/token":
                with script.lock:
                    script.tokens_issued += 1
                    n = script.tokens_issued
                reply = Reply(
                    200,
                    json.dumps({"id_token": f"tok{n}", "token_type": "Bearer", "expires_on": "2999-01-01T00:00:00Z"}),
                )
            if reply is None:
                reply = Reply(404, json.dumps({"errors": [f"nothing scripted for {key}"]}))
            if reply.drop:
                self.close_connection = True
                self.connection.close()
                return
            payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_PATCH = _serve

    return Handler


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def hook(server: ThreadingHTTPServer, sleeps: list[float], monkeypatch: pytest.MonkeyPatch) -> Iterator[JetHook]:
    conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": server.server_address[1],
        "schema": "http",
        "login": "user",
        "password": "secret",
        "extra": {"rate_limit_per_second": 0, "max_retries": 3, "read_timeout": 2, "max_concurrency": 4},
    }
    monkeypatch.setenv("AIRFLOW_CONN_JET_SCRIPTED", json.dumps(conn))
    jet = JetHook("jet_scripted", sleep=sleeps.append, rng=lambda: 0.5)
    yield jet
    jet.close()


ORDER_PATH = f"/api/orders/withoutShipmentDetail/{ORDER_ID}"


def test_token_is_lazy_cached_and_sent_as_bearer(hook: JetHook, script: Script) -> None:
    script.on(f"GET {ORDER_PATH}", Reply(200, VALID_ORDER_TEXT))
    assert script.log == []  # nothing before first use
    for _ in range(3):
        assert hook.get_order(ORDER_ID).merchant_order_id == ORDER_ID
    token_calls = script.calls("POST /api/token")
    assert len(token_calls) == 1
    assert json.loads(token_calls[0]["body"]) == {"user": "user", "pass": "secret"}
    assert token_calls[0]["auth"] is None  # no Basic auth, ever
    assert {c["auth"] for c in script.calls(f"GET {ORDER_PATH}")} == {"Bearer tok1"}
    assert hook.stats.token_fetches == 1


def test_401_renews_the_token_once_and_resends(hook: JetHook, script: Script) -> None:
    script.on(
        f"GET {ORDER_PATH}",
        Reply(200, VALID_ORDER_TEXT),
        Reply(401, '{"errors": ["expired"]}'),
        Reply(200, VALID_ORDER_TEXT),
    )
    hook.get_order(ORDER_ID)
    hook.get_order(ORDER_ID)
    auths = [c["auth"] for c in script.calls(f"GET {ORDER_PATH}")]
    assert auths == ["Bearer tok1", "Bearer tok1", "Bearer tok2"]
    assert hook.stats.token_refreshes_on_401 == 1


def test_second_401_raises(hook: JetHook, script: Script) -> None:
    script.on(f"GET {ORDER_PATH}", Reply(401, '{"errors": ["no"]}'))
    with pytest.raises(JetAuthError, match="401 again") as info:
        hook.get_order(ORDER_ID)
    assert info.value.errors == ["no"]
    assert len(script.calls("POST /api/token")) == 2


def test_bad_credentials_raise_auth_error(hook: JetHook, script: Script) -> None:
    script.on("POST /api/token", Reply(401, '{"errors": ["bad user or secret"]}'))
    with pytest.raises(JetAuthError, match="bad user or secret"):
        hook.list_order_ids("ready")


def test_get_retries_5xx_and_429_honouring_retry_after(hook: JetHook, script: Script, sleeps: list[float]) -> None:
    script.on(
        f"GET {ORDER_PATH}",
        Reply(500),
        Reply(429, '{"errors": ["slow down"]}', {"Retry-After": "3"}),
        Reply(503),
        Reply(200, VALID_ORDER_TEXT),
    )
    assert hook.get_order(ORDER_ID).merchant_order_id == ORDER_ID
    # Ceilings 0.5 * 2^(n-1) with the jitter draw fixed at 0.5: 0.25 after the 500,
    # the server's Retry-After (3 s) after the 429, then 0.5 * 2.0 after the 503.
    assert sleeps == [0.25, 3.0, 1.0]
    assert hook.stats.retries == 3
    assert hook.stats.rate_limited == 1


def test_get_gives_up_naming_url_and_last_status(hook: JetHook, script: Script) -> None:
    script.on(f"GET {ORDER_PATH}", Reply(502, '{"errors": ["gateway"]}'))
    with pytest.raises(JetRetriesExhausted) as info:
        hook.get_order_raw(ORDER_ID)
    err = info.value
    assert err.attempts == 4
    assert err.status == 502
    assert ORDER_PATH in str(err)
    assert "HTTP 502" in str(err)
    assert len(script.calls(f"GET {ORDER_PATH}")) == 4


def test_get_retries_a_dropped_connection(hook: JetHook, script: Script) -> None:
    script.on(f"GET {ORDER_PATH}", Reply(drop=True), Reply(200, VALID_ORDER_TEXT))
    assert hook.get_order(ORDER_ID).merchant_order_id == ORDER_ID
    assert hook.stats.transport_errors == 1


def test_404_is_not_retried(hook: JetHook, script: Script) -> None:
    with pytest.raises(JetNotFound):
        hook.get_order_raw("nope")
    assert len(script.calls("GET /api/orders/withoutShipmentDetail/nope")) == 1


ACK = {
    "acknowledgement_status": "accepted",
    "order_items": [{"order_item_id": "a35b", "order_item_acknowledgement_status": "fulfillable"}],
}
ACK_PATH = f"/api/orders/{ORDER_ID}/acknowledge"


def test_write_is_sent_once_and_body_is_jet_json(hook: JetHook, script: Script) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(204))
    hook.acknowledge(ORDER_ID, ACK)
    calls = script.calls(f"PUT {ACK_PATH}")
    assert len(calls) == 1
    assert json.loads(calls[0]["body"]) == ACK


def test_dropped_write_is_outcome_unknown_and_not_resent(hook: JetHook, script: Script) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(drop=True))
    with pytest.raises(WriteOutcomeUnknown) as info:
        hook.acknowledge(ORDER_ID, ACK)
    assert info.value.request_sent
    assert len(script.calls(f"PUT {ACK_PATH}")) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_write_is_outcome_unknown(hook: JetHook, script: Script, status: int) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(status, '{"errors": ["boom"]}'))
    with pytest.raises(JetServerError) as info:
        hook.acknowledge(ORDER_ID, ACK)
    assert isinstance(info.value, WriteOutcomeUnknown)
    assert info.value.status == status
    assert len(script.calls(f"PUT {ACK_PATH}")) == 1


def test_4xx_write_is_rejected_with_jets_errors(hook: JetHook, script: Script) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(400, '{"errors": ["order is not ready", "second"]}'))
    with pytest.raises(JetRequestRejected) as info:
        hook.acknowledge(ORDER_ID, ACK)
    assert info.value.errors == ["order is not ready", "second"]
    assert not isinstance(info.value, WriteOutcomeUnknown)


def test_429_write_is_rejected_not_retried(hook: JetHook, script: Script) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(429, '{"errors": ["rate"]}', {"Retry-After": "1"}))
    with pytest.raises(JetRateLimited):
        hook.acknowledge(ORDER_ID, ACK)
    assert len(script.calls(f"PUT {ACK_PATH}")) == 1


def test_401_on_a_write_is_resent_once_with_a_new_token(hook: JetHook, script: Script) -> None:
    script.on(f"PUT {ACK_PATH}", Reply(401), Reply(204))
    hook.acknowledge(ORDER_ID, ACK)
    assert [c["auth"] for c in script.calls(f"PUT {ACK_PATH}")] == ["Bearer tok1", "Bearer tok2"]


def test_read_timeout_on_a_write_is_outcome_unknown(
    hook: JetHook, script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server that accepts the request and never answers within read_timeout.
    hook = JetHook("jet_scripted", overrides={"read_timeout": 0.2})
    gate = threading.Event()

    original = script.next

    def slow_next(key: str) -> Reply | None:
        if key == f"PUT {ACK_PATH}":
            gate.wait(2)
        return original(key)

    monkeypatch.setattr(script, "next", slow_next)
    try:
        with pytest.raises(WriteOutcomeUnknown, match="ReadTimeout"):
            hook.acknowledge(ORDER_ID, ACK)
    finally:
        gate.set()
        hook.close()
    assert len(script.calls(f"PUT {ACK_PATH}")) == 1


def test_iter_orders_keeps_raw_and_isolates_bad_payloads(hook: JetHook, script: Script) -> None:
    ids = [f"{i:032x}" for i in range(12)]
    for i, oid in enumerate(ids):
        text = VALID_ORDER_TEXT.replace(ORDER_ID, oid)
        if i == 3:
            text = text.replace('"order_items"', '"order_itemz"')
        script.on(f"GET /api/orders/withoutShipmentDetail/{oid}", Reply(200, text))
    results = list(hook.iter_orders([*ids, ids[0]]))  # a repeated id is fetched once
    assert sorted(r.merchant_order_id for r in results) == ids
    bad = [r for r in results if not r.ok]
    assert [r.merchant_order_id for r in bad] == [ids[3]]
    assert bad[0].error is not None
    assert bad[0].error.field_path == "order_items"
    assert b'"order_itemz"' in bad[0].raw
    good = next(r for r in results if r.merchant_order_id == ids[0])
    assert good.order is not None
    assert good.raw == VALID_ORDER_TEXT.replace(ORDER_ID, ids[0]).encode()


def test_iter_orders_hands_back_orders_jet_will_not_serve(hook: JetHook, script: Script) -> None:
    ids = [f"{i:032x}" for i in range(6)]
    for oid in ids:
        script.on(f"GET /api/orders/withoutShipmentDetail/{oid}", Reply(200, VALID_ORDER_TEXT.replace(ORDER_ID, oid)))
    script.replies[f"GET /api/orders/withoutShipmentDetail/{ids[4]}"] = deque([Reply(500)])
    script.replies[f"GET /api/orders/withoutShipmentDetail/{ids[2]}"] = deque([Reply(400, '{"errors": ["bad id"]}')])
    results = {r.merchant_order_id: r for r in hook.iter_orders(ids)}
    assert sorted(results) == ids, "one order Jet will not serve does not stop the others"
    exhausted, refused = results[ids[4]].unreadable, results[ids[2]].unreadable
    assert isinstance(exhausted, JetRetriesExhausted)
    assert ids[4] in str(exhausted)
    assert isinstance(refused, JetRequestRejected)
    assert refused.errors == ["bad id"]
    assert {oid for oid, r in results.items() if not r.ok} == {ids[2], ids[4]}


def test_list_ids_deduplicate_in_order(hook: JetHook, script: Script) -> None:
    urls = [f"/orders/withoutShipmentDetail/{x}" for x in ("b", "a", "b", "c", "a")]
    script.on("GET /api/orders/ready", Reply(200, json.dumps({"order_urls": urls})))
    assert hook.list_order_ids("ready") == ["b", "a", "c"]
    assert hook.list_order_urls("ready") == urls
    with pytest.raises(ValueError, match="shipped"):
        hook.list_order_ids("shipped")
