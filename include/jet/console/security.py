"""Who is asking: every request to the order manager carries an Airflow session.

Airflow mounts a plugin's FastAPI app without any authentication, so the console
does it itself, the way Airflow's own API does: the JWT comes from the
``Authorization: Bearer`` header or, for the browser, from the ``_token`` cookie Airflow's
login sets; the auth manager validates it (signature, expiry, revocation) and answers
every permission question. A page asked for without a valid session redirects to
Airflow's login page; any other request without one is refused with 401 (403 for a
token Airflow does not accept).

Reading the console needs read access to the ``jet_orders`` DAG; each action needs
permission to trigger its DAG (``POST`` on its runs), exactly what Airflow checks when
the console then triggers it with the user's token.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, status

__all__ = ["READ_DAG", "ConsoleUser", "LoginRequired", "authenticate", "csrf_token", "require_csrf"]

#: Read access to this DAG is what opens the console.
READ_DAG = "jet_orders"
COOKIE = "_token"


class LoginRequired(Exception):
    """No valid session on a page request: the app answers with a redirect to Airflow's login."""

    def __init__(self, login_url: str, reason: str) -> None:
        self.login_url = login_url
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ConsoleUser:
    name: str
    token: str
    user: Any  # the auth manager's user object
    from_cookie: bool = True  # the browser's session, not a script's own Authorization header

    def may_trigger(self, dag_id: str) -> bool:
        """May this user trigger ``dag_id`` (what Airflow's trigger endpoint requires)?"""
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

        return get_auth_manager().is_authorized_dag(
            method="POST", access_entity=DagAccessEntity.RUN, details=DagDetails(id=dag_id), user=self.user
        )

    def may_answer_inbox(self, dag_id: str) -> bool:
        """May this user answer a Required Action of ``dag_id``?"""
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

        return get_auth_manager().is_authorized_dag(
            method="PUT", access_entity=DagAccessEntity.HITL_DETAIL, details=DagDetails(id=dag_id), user=self.user
        )


def _token_of(request: Request) -> tuple[str | None, bool]:
    """The JWT and whether it came from the cookie; an explicit header wins, as in Airflow."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), False
    return request.cookies.get(COOKIE) or None, True


def _wants_page(request: Request) -> bool:
    """A browser navigating to a page (redirect it to log in) rather than a script."""
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


async def authenticate(request: Request) -> ConsoleUser:
    """The request's Airflow user, allowed to read the console; otherwise a redirect to
    Airflow's login (pages) or 401/403 (everything else)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
    from jwt import ExpiredSignatureError, InvalidTokenError

    manager = get_auth_manager()
    token, from_cookie = _token_of(request)
    reason = "Not authenticated"
    user = None
    if token:
        try:
            user = await manager.get_user_from_token(token)
        except ExpiredSignatureError:
            reason = "Token Expired"
        except InvalidTokenError:
            reason = "Invalid JWT token"
    if user is None:
        if _wants_page(request):
            raise LoginRequired(manager.get_url_login(next_url=str(request.url)), reason)
        code = status.HTTP_403_FORBIDDEN if reason == "Invalid JWT token" else status.HTTP_401_UNAUTHORIZED
        raise HTTPException(code, reason, headers={"WWW-Authenticate": "Bearer"})
    if not manager.is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.RUN, details=DagDetails(id=READ_DAG), user=user
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{user.get_name()} may not read the {READ_DAG} DAG's runs")
    return ConsoleUser(name=user.get_name(), token=token or "", user=user, from_cookie=from_cookie)


def _secret() -> bytes:
    from airflow.configuration import conf

    return conf.get("api_auth", "jwt_secret", fallback="").encode() or b"jetflow-console"


def csrf_token(user: ConsoleUser) -> str:
    """A form token bound to the user's session: a page of another site cannot post one.
    (Airflow's cookie is SameSite=Lax already; this closes the same-site gap too.)"""
    return hmac.new(_secret(), f"jet-console|{user.token}".encode(), hashlib.sha256).hexdigest()[:40]


def require_csrf(user: ConsoleUser, presented: str | None) -> None:
    """Refuse (403) a form post whose token is not this session's. A script that sends
    its own Authorization header carries no ambient credential, so it needs none."""
    if not user.from_cookie:
        return
    if not presented or not hmac.compare_digest(presented, csrf_token(user)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form's session token is missing or stale: reload the page")
