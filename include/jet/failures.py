"""Failures a retry cannot fix, and how task bodies report them.

A refused shipment, an unknown Param, a file outside the inbox or an empty catalog fail
the same way on every try: retrying only delays the message and buries it under
tracebacks. Such errors derive from :class:`PermanentError`; the task bodies in
``jet.*.tasks`` are wrapped with :func:`fail_fast`, which logs the reason as one ERROR
line (the first line of the failure in the task's log) and fails the task at once
with Airflow's :class:`~airflow.sdk.exceptions.AirflowFailException` (no retry), raised
from the wrapper itself without the chain, so the traceback is a few frames long.

Everything else (a lost connection, Jet timing out) keeps Airflow's retries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class PermanentError(Exception):
    """Retrying cannot help: the input is wrong, the request was refused, a setup step is missing.

    The message says what was wrong and what to do; its first line is the reason.
    """


class Refused(PermanentError, ValueError):
    """A request refused as given (the message says what to change); for the cases no
    domain error of its own describes."""


def fail_fast(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`PermanentError` raised by ``fn`` into a failure without retries.

    The exception raised is an :class:`~airflow.sdk.exceptions.AirflowFailException`
    (so Airflow does not retry) *and* an instance of the original class, with its
    attributes: callers outside Airflow (tests, the demo) still catch the domain error.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PermanentError as exc:
            reason = str(exc)
            log.error("%s", reason)
            raise _failed(exc, reason) from None

    return wrapper


_FAILURE_CLASSES: dict[type[PermanentError], type[Exception]] = {}


def _failure_class(cls: type[PermanentError]) -> type[Exception]:
    """One AirflowFailException twin per refusal class (made once, so ``except`` on it works)."""
    from airflow.sdk.exceptions import AirflowFailException

    if cls not in _FAILURE_CLASSES:
        _FAILURE_CLASSES[cls] = type(cls.__name__, (AirflowFailException, cls), {"__module__": cls.__module__})
    return _FAILURE_CLASSES[cls]


def _failed(exc: PermanentError, reason: str) -> Exception:
    failure = _failure_class(type(exc))
    # The original's __init__ may want other arguments: copy its state instead of calling it.
    new = failure.__new__(failure)
    new.__dict__.update(exc.__dict__)
    new.args = (reason,)
    return new
