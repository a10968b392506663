"""Jet's merchant API: the :class:`~jet.api.hook.JetHook` client and the payload models.

Everything Jet-specific (endpoints, payload shapes, enums) lives in this package.
Importing ``jet.api`` is cheap: the hook (which pulls in Airflow and requests) and the
models (pydantic) load on first attribute access, so DAG files can import names from
here at module level and pay only inside tasks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jet.api.errors import (
    JetApiError,
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

if TYPE_CHECKING:
    from jet.api.hook import FetchResult, JetHook, JetHookSettings
    from jet.api.models import OrderDetail, parse_order

_LAZY = {
    "JetHook": "jet.api.hook",
    "JetHookSettings": "jet.api.hook",
    "FetchResult": "jet.api.hook",
    "OrderDetail": "jet.api.models",
    "parse_order": "jet.api.models",
}

__all__ = [
    "FetchResult",
    "JetApiError",
    "JetAuthError",
    "JetHook",
    "JetHookSettings",
    "JetHttpError",
    "JetNotFound",
    "JetRateLimited",
    "JetRequestRejected",
    "JetRetriesExhausted",
    "JetServerError",
    "OrderDetail",
    "PayloadError",
    "WriteOutcomeUnknown",
    "parse_order",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jet.api' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
