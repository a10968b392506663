"""Where every benchmark writes what it measured: ``bench/results/<name>.json`` (gitignored;
docs/performance.md carries the figures that count)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def write_results(name: str, results: Mapping[str, Any]) -> Path:
    """``results`` as ``bench/results/<name>.json`` (timestamps and decimals as text); its path."""
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return out
