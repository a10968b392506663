"""Typed Params the manual DAGs share, so an id looks the same in every form.

Light on purpose: DAG files import it at parse time.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param

# Jet ids are 32 hex characters; the sandbox and the docs samples use other short ids.
JET_ID_PATTERN = "^[0-9A-Za-z-]{8,64}$"


def jet_id_param(title: str = "Merchant order id", description: str | None = None) -> Param:
    """One Jet id (an order, a return), typed into the trigger form."""
    extra: dict[str, Any] = {"description": description} if description else {}
    return Param("", type="string", pattern=JET_ID_PATTERN, title=title, **extra)


def order_ids_param(description: str | None = None) -> Param:
    """Several merchant order ids (may be empty when a date range is given instead)."""
    extra: dict[str, Any] = {"description": description} if description else {}
    return Param(
        [], type="array", items={"type": "string", "pattern": JET_ID_PATTERN}, title="Merchant order ids", **extra
    )


def placed_date_params() -> dict[str, Param]:
    """``placed_from`` / ``placed_to``: UTC calendar days, both included."""
    return {
        "placed_from": Param(None, type=["null", "string"], format="date", title="Placed from (UTC date)"),
        "placed_to": Param(None, type=["null", "string"], format="date", title="Placed to (UTC date)"),
    }
