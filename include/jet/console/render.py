"""The order manager's HTML: Jinja2 templates rendered on the server, no build step.

Styles and the two small scripts (deadline countdowns, following a run until it ends)
are files of this package served by the console itself: nothing comes from a CDN.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = ["STATIC", "render"]

HERE = Path(__file__).parent
STATIC = HERE / "static"


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return "-" if value is None else value.astimezone(UTC).strftime(fmt)


def _money(value: Decimal | float | int | None) -> str:
    if value is None:
        return "-"
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dt=_dt, money=_money, iso=_iso, tojson_pretty=_json, urlpart=lambda v: quote(str(v), safe=""))
    env.globals.update(urlencode=urlencode, active=None)
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the console's templates."""
    return _env().get_template(template).render(**context)
