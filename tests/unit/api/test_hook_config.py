"""JetHook configuration: connection → base URL, headers, settings. No network."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from jet.api.hook import JET_EXTRA_KEYS, JetHook, JetHookSettings, _retry_after

pytestmark = pytest.mark.unit

OWN_EXTRAS: dict[str, Any] = {
    "base_path": "api/",
    "rate_limit_per_second": "7.5",  # the Airflow UI stores extras as strings
    "rate_limit_burst": 3,
    "max_concurrency": 5,
    "connect_timeout": 2,
    "read_timeout": 9,
    "max_retries": 2,
    "backoff_base": 0.25,
    "backoff_max": 4,
    "retry_after_max": 10,
    "token_refresh_margin": 60,
    "progress_interval": 1,
    "late_apply_seconds": "4",
    "write_budget_wait": 0.5,
    "ready_poll_seconds": "3",
}


@pytest.fixture
def jet_conn(monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": 9,
        "schema": "http",
        "login": "user",
        "password": "secret",
        "extra": {**OWN_EXTRAS, "X-Custom-Header": "kept"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_JET_UNIT", json.dumps(conn))
    return "jet_unit"


def test_init_does_no_io() -> None:
    # An unknown connection id only fails on first use, not at construction.
    hook = JetHook("no_such_connection_anywhere")
    assert hook.stats.requests == 0
    assert hook._session is None


def test_settings_come_from_extras(jet_conn: str) -> None:
    hook = JetHook(jet_conn)
    s = hook.settings
    assert s == JetHookSettings(
        base_path="/api",
        rate_limit_per_second=7.5,
        rate_limit_burst=3,
        max_concurrency=5,
        connect_timeout=2.0,
        read_timeout=9.0,
        max_retries=2,
        backoff_base=0.25,
        backoff_max=4.0,
        retry_after_max=10.0,
        token_refresh_margin=60.0,
        progress_interval=1.0,
        late_apply_seconds=4.0,
        write_budget_wait=0.5,
        ready_poll_seconds=3.0,
    )
    assert set(OWN_EXTRAS) == JET_EXTRA_KEYS


def test_overrides_win_and_unknown_overrides_fail(jet_conn: str) -> None:
    assert JetHook(jet_conn, overrides={"max_concurrency": 2}).settings.max_concurrency == 2
    with pytest.raises(ValueError, match="unknown JetHook settings"):
        _ = JetHook(jet_conn, overrides={"max_concurency": 2}).settings


def test_own_extras_are_not_headers_and_no_basic_auth(jet_conn: str) -> None:
    hook = JetHook(jet_conn)
    session = hook._ensure_ready()
    assert hook.base_url == "http://127.0.0.1:9/api"
    lowered = {k.lower() for k in session.headers}
    for key in JET_EXTRA_KEYS:
        assert key.lower() not in lowered
    assert session.headers["X-Custom-Header"] == "kept"  # other extras still behave as in HttpHook
    assert session.headers["Content-Type"] == "application/json"
    assert session.auth is None  # bearer tokens only; the secret never rides on API calls
    adapter = session.get_adapter("http://127.0.0.1:9/api/x")
    assert isinstance(adapter, requests.adapters.HTTPAdapter)
    assert adapter._pool_maxsize == 5
    assert adapter.max_retries.total == 0  # urllib3 must never resend a write on its own
    assert hook.url_for("/orders/withoutShipmentDetail/x") == "http://127.0.0.1:9/api/orders/withoutShipmentDetail/x"
    assert hook.url_for("orders/ready") == "http://127.0.0.1:9/api/orders/ready"


def test_default_base_path_is_api(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "http", "host": "jet.example", "schema": "https", "login": "u", "password": "p"}
    monkeypatch.setenv("AIRFLOW_CONN_JET_DEFAULTS", json.dumps(conn))
    hook = JetHook("jet_defaults")
    assert hook.url_for("/token") == "https://jet.example/api/token"
    assert hook.settings == JetHookSettings()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rate_limit_per_second": "fast"}, "not a number"),
        ({"max_concurrency": 0}, ">= 1"),
        ({"read_timeout": 0}, "> 0"),
        ({"max_retries": -1}, ">= 0"),
    ],
)
def test_bad_extras_fail_clearly(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JetHookSettings.from_extra(extra)


def test_missing_credentials_fail_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from jet.api.errors import JetAuthError

    monkeypatch.setenv("AIRFLOW_CONN_JET_NOCREDS", json.dumps({"conn_type": "http", "host": "h", "schema": "http"}))
    with pytest.raises(JetAuthError, match="needs login"):
        JetHook("jet_nocreds").url_for("/x")


def test_backoff_is_full_jitter_capped_and_honours_retry_after(jet_conn: str) -> None:
    hook = JetHook(jet_conn, rng=lambda: 1.0)  # the top of each jitter range
    hook._ensure_ready()
    assert [hook._backoff(n, None) for n in range(1, 7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert JetHook(jet_conn, rng=lambda: 0.0)._backoff(3, None) == 0.0
    assert hook._backoff(1, 3.0) == 3.0
    assert hook._backoff(1, 500.0) == 10.0  # capped by retry_after_max


@pytest.mark.parametrize(
    ("header", "expected"),
    [("2", 2.0), ("0.5", 0.5), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None)],
)
def test_retry_after_parsing(header: str | None, expected: float | None) -> None:
    response = requests.Response()
    if header is not None:
        response.headers["Retry-After"] = header
    assert _retry_after(response) == expected


def test_environment_is_resolved_once(jet_conn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # requests would otherwise rescan the environment and ~/.netrc on every request (slow,
    # and a netrc entry would replace the bearer header with Basic auth).
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = JetHook(jet_conn)._ensure_ready()
    assert session.trust_env is False
    assert session.proxies["http"] == "http://proxy.example:3128"
    assert session.verify == "/etc/ssl/certs/ca-certificates.crt"


def test_no_proxy_is_honoured_when_pinning(jet_conn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    session = JetHook(jet_conn)._ensure_ready()
    assert "http" not in session.proxies
