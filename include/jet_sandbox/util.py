"""Small shared helpers: money, Jet's timestamp format, ids and JSON encoding."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | float) -> Decimal:
    """Quantize to cents (half-up, like a till). Floats go through ``str`` to avoid binary noise."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_ts(dt: datetime) -> str:
    """Jet's .NET style timestamp: 7 fractional digits and ``Z`` (``2014-07-24T17:00:00.0000000Z``)."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0Z"


def parse_ts(text: str) -> datetime:
    """Parse any ISO-8601 instant (7 fractional digits and offsets included); naive means UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Python's parser takes at most 6 fractional digits: cut .NET's 7th (100 ns) digit.
    if "." in value:
        head, _, tail = value.partition(".")
        digits = ""
        rest = tail
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else head + rest
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def hex_id(rng: random.Random) -> str:
    """A 32-char lowercase hex id (a GUID without dashes), as Jet used, drawn from ``rng``."""
    return f"{rng.getrandbits(128):032x}"


def jsonable(value: Any) -> Any:
    """Convert Decimals (money) to JSON numbers and datetimes to Jet timestamps, recursively.

    Money is Decimal internally and becomes a float only here, at the JSON boundary; every
    amount is a whole number of cents, so ``float`` renders it with at most 2 decimals.
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return fmt_ts(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of ``value`` after :func:`jsonable`."""
    return json.dumps(jsonable(value), separators=(",", ":"), ensure_ascii=False).encode()
