"""Exceptions raised by the Jet API client layer.

The hierarchy is shaped by what the caller must do next, not by HTTP status:

* :class:`PayloadError` — Jet answered, but the body is not a valid payload. The raw
  bytes travel with the error so the loader can quarantine them.
* :class:`JetRequestRejected` — Jet answered 4xx: the request was refused and, for a
  write, **not applied**. Carries Jet's ``errors`` list.
* :class:`WriteOutcomeUnknown` — a PUT/POST may or may not have been applied (timeout,
  dropped connection, 5xx). The caller must re-read the resource from Jet before it may
  send the write again; the HTTP layer never retries writes.
* :class:`JetRetriesExhausted` — a GET kept failing with retryable errors.
* :class:`JetAuthError` — the token could not be obtained, or was refused twice.

This module has no third-party imports so that it is cheap to import anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence


class JetApiError(Exception):
    """Base class of every error raised by :mod:`jet.api`."""


class PayloadError(JetApiError, ValueError):
    """A Jet payload failed validation.

    :param field_path: dotted path of the first offending field (``order_items``,
        ``order_detail.request_ship_by``, ``order_items[0].item_price.base_price``) or
        ``$`` when the document as a whole is unreadable.
    :param message: readable reason for the first problem; when more than one field is
        wrong, ``problems`` lists all of them.
    :param raw: the raw body exactly as received, kept for quarantine.
    :param problems: every ``(field_path, message)`` pair found.
    """

    def __init__(
        self,
        field_path: str,
        message: str,
        raw: bytes | str | None = None,
        problems: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        self.field_path = field_path
        self.message = message
        self.raw = raw
        self.problems: list[tuple[str, str]] = list(problems) if problems else [(field_path, message)]
        super().__init__(self.describe())

    def describe(self) -> str:
        """All problems as one readable line, e.g. ``order_items: field required; ...``."""
        return "; ".join(f"{path}: {msg}" for path, msg in self.problems)


class JetHttpError(JetApiError):
    """An HTTP exchange with Jet failed.

    :param method: HTTP method of the failed request.
    :param url: full URL of the failed request.
    :param status: HTTP status of the last response, ``None`` when there was none.
    :param errors: the ``errors`` list from Jet's error body, when it had one.
    :param body: the response body (truncated in the message, kept whole here).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status: int | None = None,
        errors: Sequence[str] | None = None,
        body: bytes | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.errors: list[str] = list(errors or [])
        self.body = body
        super().__init__(message)


class JetAuthError(JetHttpError):
    """The token endpoint refused the credentials, or a fresh token was refused (second 401)."""


class JetRequestRejected(JetHttpError):
    """Jet answered 4xx. For a write this means the write was **not applied**."""


class JetNotFound(JetRequestRejected):
    """Jet answered 404 (unknown resource or status word)."""


class JetRateLimited(JetRequestRejected):
    """Jet answered 429 to a write. Not applied; may be sent again later (writes are never retried here).

    :param retry_after: Jet's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class JetRetriesExhausted(JetHttpError):
    """A GET (or the token request) failed with retryable errors on every attempt.

    :param attempts: how many attempts were made.
    :param last_error: description of the last failure (status or exception).
    """

    def __init__(self, message: str, *, attempts: int, last_error: str, **kwargs: object) -> None:
        self.attempts = attempts
        self.last_error = last_error
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class WriteOutcomeUnknown(JetHttpError):
    """A PUT/POST may or may not have been applied by Jet.

    Raised on timeouts and dropped connections during a write. Jet has no idempotency
    keys, so resending blindly could ship or refund twice: the caller (the outbox) marks
    the action ``unknown`` and settles it by re-reading the order from Jet.

    :param request_sent: ``False`` only when the connection was never established
        (connect timeout / refused), i.e. Jet certainly did not receive the request.
        Kept as a hint; the safe reaction is the same.
    """

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs: object) -> None:
        self.request_sent = request_sent
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class JetServerError(WriteOutcomeUnknown):
    """Jet answered 5xx to a write.

    A 500 may come from a failure *after* the write was applied (e.g. while rendering the
    response), so a 5xx on a write is treated as outcome-unknown, exactly like a timeout.
    Catching :class:`WriteOutcomeUnknown` covers both.
    """
