"""Headless Chromium (Debian's, driven by Playwright's sync API) for checking the HTML pages in a real browser.

`chromium_browser` is one browser for the whole session; `browser_page` is a fresh context and page per test
that records console errors, page errors, failed local responses and every request to a host other than the
live server's (those are aborted: the pages must work offline, with their own Leaflet and no basemap).

There is no fallback: if Chromium is missing the fixture raises and the tests fail (never skip).

Use in a test module:  from tests import browser; chromium_browser = browser.chromium_browser;
browser_page = browser.browser_page (module-level assignments; pytest finds fixtures by attribute).
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, sync_playwright

CHROMIUM = os.environ.get("ZONEATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1"}

# Before any page script runs: remember every Leaflet map created, so a test can count the layers drawn on it
# (canvas-rendered markers leave no DOM elements to count). Leaflet 1.9 assigns window.L once, at the end of
# leaflet.js; the setter adds an init hook to L.Map before the page's own scripts create a map.
MAP_HOOK = """
(() => {
  const maps = [];
  let leaflet;
  let hooked = false;
  Object.defineProperty(window, "__zoneatlasMaps", { value: maps });
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (value && value.Map && !hooked) {
        hooked = true;
        value.Map.addInitHook(function () { maps.push(this); });
      }
    },
  });
})();
"""

# Features drawn on the page's only map: layers carrying a GeoJSON feature, and how many of them lie in view.
DRAWN_JS = """
() => {
  const maps = window.__zoneatlasMaps || [];
  if (maps.length !== 1) return { maps: maps.length, drawn: -1, inView: -1 };
  const map = maps[0];
  const view = map.getBounds();
  let drawn = 0;
  let inView = 0;
  map.eachLayer((layer) => {
    if (!layer.feature) return;
    drawn += 1;
    if (layer.getBounds ? view.intersects(layer.getBounds()) : view.contains(layer.getLatLng())) inView += 1;
  });
  return { maps: maps.length, drawn, inView };
}
"""

# Non-transparent pixels on the overlay canvases (what preferCanvas draws on), to see that something is painted.
CANVAS_PIXELS_JS = """
() => {
  let painted = 0;
  for (const canvas of document.querySelectorAll(".leaflet-overlay-pane canvas")) {
    if (!canvas.width || !canvas.height) continue;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
  }
  return painted;
}
"""


def chromium_executable() -> str:
    """The Chromium binary, or an error that says how to get one (the tests must fail, never skip)."""
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM!r}: the browser tests need Debian's Chromium "
            "(apt-get install chromium) or ZONEATLAS_CHROMIUM=/path/to/chromium; "
            "`playwright install` is not used."
        )
    return path


@dataclass
class BrowserPage:
    """A page plus what went wrong on it, for one test."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def open(self, path: str) -> Response:
        """Go to a path on the live server and wait until the network is idle; the document must be 200 HTML."""
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        assert response is not None, path
        assert response.status == 200, f"{path}: HTTP {response.status}"
        assert response.headers.get("content-type", "").startswith("text/html"), response.headers
        return response

    def drawn(self) -> dict[str, int]:
        """How many Leaflet maps the page made, features drawn on its map and how many of those are in view."""
        return self.page.evaluate(DRAWN_JS)

    def canvas_pixels(self) -> int:
        """Painted pixels on the map's overlay canvases."""
        return self.page.evaluate(CANVAS_PIXELS_JS)

    def wait_painted(self) -> None:
        """Wait until the canvas renderer has painted (it redraws on the next animation frame)."""
        self.page.wait_for_function(f"() => ({CANVAS_PIXELS_JS})() > 0")

    def screenshot(self, name: str, selector: str | None = None) -> Path:
        """Save test-output/screenshots/<name>.png: the viewport, or just one element."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if selector:
            self.page.locator(selector).screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        """No console errors, no uncaught exceptions, no failed local responses, nothing fetched from elsewhere."""
        problems = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "requests to other hosts": self.foreign_requests,
            "failed responses": self.bad_responses,
        }
        assert not any(problems.values()), {k: v for k, v in problems.items() if v}


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """A fresh context and page on the live server, recording errors and requests to other hosts."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    context.add_init_script(MAP_HOOK)
    page = context.new_page()
    checked = BrowserPage(page=page, base_url=live_server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            checked.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            checked.bad_responses.append(f"{response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        if urlsplit(request.url).hostname in LOCAL_HOSTS:
            checked.bad_responses.append(f"failed {request.url}: {request.failure}")

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            checked.foreign_requests.append(url)
            route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda error: checked.page_errors.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    context.route("**/*", guard)
    try:
        yield checked
    finally:
        context.close()
