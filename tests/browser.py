"""Checking built sites with real tools: Debian's chromium through Playwright, a static
HTTP server on 127.0.0.1, the Nu HTML Checker and axe-core.

The npm tools (vnu-jar, axe-core) are pinned in the repository's package.json and
installed into node_modules/ by `make test` (`npm ci`); the checker runs on the
machine's Java, the browser is Debian's chromium (never Playwright's own download).
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from conftest import REPO, build
from fixture_site import write_fixture_site
from sitewalk import Site

NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]
# The widths every page must work at: a small phone and a desktop window.
WIDTHS = {"narrow": 375, "wide": 1280}


def _npm_tool(path: Path) -> Path:
    assert path.is_file(), (
        f"{path.relative_to(REPO)} is missing: `make test` installs the npm test tools "
        "(or run `npm ci --ignore-scripts` in the repository)"
    )
    return path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve `directory` as any static host would; yields the root URL (no trailing /)."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless chromium, driven by Playwright."""
    executable = shutil.which("chromium")
    assert executable, "the browser tests need Debian's chromium; `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ServedSite:
    url: str                     # the site's root URL, without a trailing slash
    site: Site                   # the built files
    metas: list[dict[str, Any]]  # the fixture's articles, as written


@contextlib.contextmanager
def served_fixture_site(folder: Path) -> Iterator[ServedSite]:
    """The ~200-article fixture site, built under `folder` and served on 127.0.0.1."""
    metas = write_fixture_site(folder / "site")
    result = build(folder / "site", "--output", folder / "www")
    assert result.code == 0, result.err
    with serving(folder / "www") as url:
        yield ServedSite(url, Site(folder / "www"), metas)


def newest_story(site: Site, *selectors: str) -> str:
    """URL of the newest article whose page has an element matching every selector."""
    for url in site.list_articles("/"):
        page = site.soup(url)
        if all(page.select_one(selector) is not None for selector in selectors):
            return url
    raise AssertionError(f"no article has {selectors}")


def new_page(browser: Browser, width: int = WIDTHS["wide"]) -> Page:
    """A page in a fresh context `width` CSS pixels wide."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    return context.new_page()


def screenshot(page: Page, name: str) -> Path:
    """The whole page, every image loaded, saved as test-artifacts/screenshots/NAME.png."""
    page.evaluate("document.querySelectorAll('img').forEach(image => image.loading = 'eager')")
    page.wait_for_function("Array.from(document.images).every(image => image.complete)")
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded (every rule axe runs by default)."""
    page.add_script_tag(path=str(_npm_tool(AXE_JS)))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return list(result["violations"])


def describe_violations(violations: Iterable[dict[str, Any]]) -> str:
    """One line per rule and offending element, for an assertion message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").strip().splitlines() or [""]
            lines.append(
                f"{violation['id']} ({violation['impact']}): {' '.join(map(str, node['target']))}: "
                f"{summary[-1].strip()}"
            )
    return "\n".join(lines)


def validate_html(files: Iterable[Path]) -> list[dict[str, Any]]:
    """The Nu HTML Checker's errors over all `files` (pages, and stylesheets named
    *.css), checked in one Java process."""
    paths = [str(path) for path in files]
    assert paths, "nothing to validate"
    java = shutil.which("java")
    assert java, "the HTML checks need Java; `make test` installs default-jre-headless"
    checked = subprocess.run(
        [java, "-jar", str(_npm_tool(VNU_JAR)), "--errors-only", "--also-check-css",
         "--format", "json", *paths],
        capture_output=True, text=True, timeout=600, check=False,
    )
    # vnu writes its JSON report to stderr; exit status 1 means "errors found".
    assert checked.returncode in (0, 1), checked.stderr[-2000:]
    report = checked.stderr[checked.stderr.index("{"):]
    messages: list[dict[str, Any]] = json.loads(report)["messages"]
    return messages


def describe_messages(messages: Iterable[dict[str, Any]], root: Path) -> str:
    """One line per error: the page under `root`, the line, the message and the markup."""
    lines = []
    for message in messages:
        where = message.get("url", "").removeprefix("file:").removeprefix(str(root))
        extract = message.get("extract", "").replace("\n", " ")
        lines.append(f"{where}:{message.get('lastLine', '?')}: {message['message']} [{extract}]")
    return "\n".join(lines)
