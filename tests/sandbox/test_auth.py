"""Authentication: token endpoint, bearer scheme, expiry on the sandbox clock."""

from __future__ import annotations

import httpx
import pytest

from jet_sandbox.testing import SandboxProcess

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("path", ["/api/token", "/api/Token", "/api/TOKEN"])
def test_token_path_is_case_insensitive(sandbox: SandboxProcess, path: str) -> None:
    response = httpx.post(sandbox.base_url + path, json={"user": sandbox.user, "pass": sandbox.secret})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id_token", "token_type", "expires_on"}
    assert body["token_type"] == "Bearer"
    # one hour after the manual clock's start, in Jet's 7-digit form
    assert body["expires_on"] == "2026-03-02T16:00:00.0000000Z"


def test_bad_credentials_get_401_with_errors(sandbox: SandboxProcess) -> None:
    response = httpx.post(sandbox.api_url + "/token", json={"user": sandbox.user, "pass": "wrong"})
    assert response.status_code == 401
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic abc", "Bearer not-a-token"],
)
def test_missing_or_invalid_token_is_401(sandbox: SandboxProcess, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.get(sandbox.api_url + "/orders/ready", headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json()["errors"], list)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(sandbox: SandboxProcess, scheme: str) -> None:
    response = httpx.get(sandbox.api_url + "/authcheck", headers={"Authorization": f"{scheme} {sandbox.token()}"})
    assert response.status_code == 200
    assert response.json() == "This message is authorized."


def test_token_expires_on_the_sandbox_clock(sandbox: SandboxProcess) -> None:
    sandbox.set_config(token_ttl_seconds=600)
    headers = sandbox.auth_headers()
    assert httpx.get(sandbox.api_url + "/authcheck", headers=headers).status_code == 200
    sandbox.advance(599)
    assert httpx.get(sandbox.api_url + "/authcheck", headers=headers).status_code == 200
    sandbox.advance(1)
    expired = httpx.get(sandbox.api_url + "/authcheck", headers=headers)
    assert expired.status_code == 401
    assert expired.json() == {"errors": ["token expired"]}
