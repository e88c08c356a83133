"""How long `folio serve` takes to show a saved edit in an open page (issue 27).

A story page is opened in Debian's chromium through Playwright; its Markdown is
saved with a new sentence, and the time is taken until the page, reloaded by
the server, shows it: the wait a reporter has between saving and seeing.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]
CONNECTED = "window.LiveReload && window.LiveReload.connector.protocol === 7"
STARTUP_SECONDS = 900
"""The first build of a big site may be a full one."""


def save_to_screen(folio: Sequence[str], site: Path, story: Path, url_path: str,
                   reps: int) -> list[float]:
    """Seconds from saving `story` to its page at `url_path` showing the edit, `reps`
    times; the story is as it was after."""
    original = story.read_text(encoding="utf-8")
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("the serve bench needs Debian's chromium: `make bench` installs it")
    try:
        with _serving(folio, site) as root, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(root + url_path, timeout=STARTUP_SECONDS * 1000)  # answered after build 1
            return [_one_edit(page, story, original, rep) for rep in range(reps)]
    finally:
        story.write_text(original, encoding="utf-8")


def _one_edit(page: Page, story: Path, original: str, rep: int) -> float:
    page.wait_for_function(CONNECTED, timeout=STARTUP_SECONDS * 1000)
    marker = f"Saved edit number {rep + 1} shows."
    started = time.monotonic()
    story.write_text(f"{original}\n{marker}\n", encoding="utf-8")
    page.wait_for_function(f"document.body.textContent.includes({marker!r})", timeout=60_000)
    return time.monotonic() - started


@contextlib.contextmanager
def _serving(folio: Sequence[str], site: Path) -> Iterator[str]:
    port = _free_port()
    log = (site.parent / "folio-serve.log").open("wb")
    server = subprocess.Popen([*folio, "serve", "--site", str(site), "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"folio serve stopped ({server.returncode}): see folio-serve.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise SystemExit("folio serve did not answer: see folio-serve.log")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
