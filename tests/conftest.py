"""Shared fixtures: repository paths, the built book served on loopback, headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILT_BOOK = REPO / "_build" / "html"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def built_book() -> Path:
    if not (BUILT_BOOK / "index.html").exists():
        pytest.skip("the book is not built: run `make book` (make test builds it first)")
    return BUILT_BOOK


@contextlib.contextmanager
def serve_directory(directory: Path):
    """Serve ``directory`` on an ephemeral loopback port; yields the base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def book_server(built_book):
    """The built book on loopback."""
    with serve_directory(built_book) as url:
        yield url


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Debian Chromium driven by Playwright (its own browser download is never used)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is missing: `apt-get install chromium` (make test does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield context
        finally:
            context.close()


# sphinx-book-theme 1.3's page template stores an empty colour mode that pydata-sphinx-theme
# then reports with console.error before falling back to "auto". Harmless, and not ours.
BENIGN_CONSOLE_ERRORS = ("Got invalid theme mode: . Resetting to auto.",)


class PageVisit:
    """A page opened with every non-loopback request blocked and recorded."""

    def __init__(self, context, url: str, viewport: dict | None = None):
        self.external_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page = context.new_page()
        if viewport is not None:  # before loading: the figures choose their layout at mount
            self.page.set_viewport_size(viewport)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _console(self, message):
        if message.type == "error" and message.text not in BENIGN_CONSOLE_ERRORS:
            self.console_errors.append(message.text)

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost", None):
            route.continue_()
        else:
            self.external_requests.append(route.request.url)
            route.abort()

    def close(self):
        self.page.close()


@pytest.fixture
def visit(browser, book_server):
    opened: list[PageVisit] = []

    def _visit(path: str, viewport: dict | None = None) -> PageVisit:
        page_visit = PageVisit(browser, f"{book_server}/{path}", viewport)
        opened.append(page_visit)
        return page_visit

    yield _visit
    for page_visit in opened:
        page_visit.close()
