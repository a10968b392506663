"""A headless Chromium for the report: screenshots, and opening it with the network off.

Playwright's Python package drives the system's Chromium (Debian's ``chromium``
package; ``make setup`` installs it when run as root): Playwright's own browser
download is not needed. ``JET_CHROMIUM`` points at another binary.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

#: Flags for a quiet headless browser: no sandbox (root in CI), no GPU, no background traffic.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: How long a page may take to draw every chart (ms): plotly.js is 4 MB of script to parse.
RENDER_TIMEOUT_MS = 60_000
INSTALL_HINT = "install Chromium (Debian/Ubuntu: sudo apt-get install -y chromium) or set JET_CHROMIUM"


class BrowserMissing(RuntimeError):
    """No Chromium binary was found."""


def chromium_path() -> str:
    """The Chromium binary: ``$JET_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH."""
    explicit = os.environ.get("JET_CHROMIUM")
    if explicit:
        if not Path(explicit).is_file():
            raise BrowserMissing(f"JET_CHROMIUM={explicit} is not a file; {INSTALL_HINT}")
        return explicit
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(f"no Chromium on PATH; {INSTALL_HINT}")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """What opening the report offline showed."""

    charts: int
    charts_drawn: dict[str, int]
    requests_blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


# Marks plotly draws for data in the plot area (not the legend): bars, points, line
# paths. A chart of zeros still draws its bars (of height 0); an empty chart draws none.
_COUNT_MARKS = """
() => Object.fromEntries([...document.querySelectorAll('section[data-chart]')].map(s => {
    const plot = s.querySelector('.js-plotly-plot');
    const marks = plot
        ? plot.querySelectorAll('.cartesianlayer .trace .point, .cartesianlayer .trace path.js-line').length
        : -1;
    return [s.dataset.chart, marks];
}))
"""


def open_offline(page: Page, report: Path) -> Opened:
    """Open ``report`` with every request other than the file itself refused; wait for every chart."""
    blocked: list[str] = []
    errors: list[str] = []
    url = report.resolve().as_uri()

    def route(r: Any) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
    charts = page.locator("section[data-chart]").count()
    # plotly draws asynchronously after load: wait until every chart has its SVG.
    page.wait_for_function(
        "n => document.querySelectorAll('section[data-chart] .js-plotly-plot .main-svg').length >= n",
        arg=charts,
        timeout=RENDER_TIMEOUT_MS,
    )
    return Opened(charts, page.evaluate(_COUNT_MARKS), blocked, errors)


def screenshot(report: Path, out: Path, *, width: int = 1360) -> Opened:
    """A full-page PNG of ``report`` (opened offline, every chart drawn) at ``out``."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
        opened = open_offline(page, report)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out), full_page=True)
        page.close()
    return opened
