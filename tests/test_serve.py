"""`folio serve`: the real server in a subprocess, over raw HTTP and in a real browser."""

from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from generator.engine.report import BuildReport
from generator.serve import Debouncer, Outcome, Preview, error_page
from generator.site.errors import ContentError

from conftest import REPO, article, build, make_site, run_folio

FIRST_URL = "/2020/05/01/first/"
STORIES = {
    "first.md": article("The first story.", title="First Headline", tags=["Harbour"]),
    "second.md": article(
        "The second story.", title="Second Headline", date="2020-06-02T10:00:00-04:00"
    ),
}
STATIC = {"data.json": b'{"a": 1}', "pic.webp": b"RIFF\0\0\0\0WEBPVP8 ", "app.js": b"1;"}
SECRET = "TOP-SECRET-OUTSIDE-OUTPUT"
TIMEOUT = 10.0
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]


def wait_for(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    out: Path
    err: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8")

    def builds(self) -> list[str]:
        """The line each rebuild printed, in order."""
        return re.findall(r"^(?:Rebuilt in|Build failed:).*$", self.stdout(), re.MULTILINE)

    def get(self, raw_path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        """GET `raw_path` exactly as written: nothing normalises or re-encodes it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", raw_path)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
            raise AssertionError("the server did not stop on SIGINT") from None


@contextlib.contextmanager
def serving(site: Path, *extra: str) -> Iterator[Served]:
    """`folio serve --site SITE --port 0` in a subprocess; stopped with SIGINT at the end."""
    out, err = site.parent / f"{site.name}.out", site.parent / f"{site.name}.err"
    command = [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([*command, *extra], cwd=REPO, stdout=stdout, stderr=stderr)
    served = Served(process, 0, out, err)
    try:
        wait_for(lambda: "Serving on" in served.stdout() or process.poll() is not None, "start")
        match = re.search(r"^Serving on http://127\.0\.0\.1:(\d+)/$", served.stdout(), re.M)
        assert match, served.stdout() + served.stderr()
        served.port = int(match[1])
        yield served
    finally:
        served.stop()


def new_site(root: Path) -> Path:
    site = make_site(root / "site", STORIES)
    for name, data in STATIC.items():
        (site / "static").mkdir(exist_ok=True)
        (site / "static" / name).write_bytes(data)
    return site


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that only read."""
    root = tmp_path_factory.mktemp("serve")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    site = new_site(root)
    (site / "secret.txt").write_text(SECRET, encoding="utf-8")
    with serving(site) as server:
        (site / "output" / "out-link").symlink_to(root)
        (site / "output" / "secret-link.txt").symlink_to(root / "secret.txt")
        yield server


# Serving files -----------------------------------------------------------------


def test_builds_first_and_serves_the_site_with_livereload(served: Served) -> None:
    assert re.search(r"^Built 2 articles into \d+ pages", served.stdout(), re.M)
    status, headers, body = served.get(FIRST_URL)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"First Headline" in body
    assert b'<script src="/livereload.js"></script></head>' in body
    status, headers, script = served.get("/livereload.js")
    assert status == 200 and b"LiveReload" in script


def test_folder_urls_get_index_html_and_a_slash(served: Served) -> None:
    status, _, body = served.get("/tags/")
    assert status == 200 and b"Harbour" in body
    status, headers, _ = served.get("/tags?x=1")
    assert status == 302
    assert headers["Location"] == "/tags/?x=1"
    status, headers, _ = served.get("//tags")
    assert headers["Location"] == "/tags/"  # never a scheme-relative //host/ redirect


def test_unknown_paths_get_the_sites_404_page(served: Served) -> None:
    status, headers, body = served.get("/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Page not found" in body
    assert served.get("/2020/05/01/first/nothing.css")[0] == 404


@pytest.mark.parametrize("path, expected", [
    ("/feed.xml", "application/atom+xml; charset=utf-8"),
    ("/tags/harbour/feed.xml", "application/atom+xml; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/css/folio.css", "text/css; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/data.json", "application/json; charset=utf-8"),
    ("/app.js", "text/javascript; charset=utf-8"),
    ("/pic.webp", "image/webp"),
    ("/", "text/html; charset=utf-8"),
])
def test_content_types(served: Served, path: str, expected: str) -> None:
    status, headers, _ = served.get(path)
    assert status == 200
    assert headers["Content-Type"] == expected


@pytest.mark.parametrize("raw_path", [
    "/../secret.txt",
    "/../../secret.txt",
    "/../",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc/passwd",
    "/..%2fsecret.txt",
    "/.%2e/secret.txt",
    "/tags/..%2f..%2f..%2fsecret.txt",
    "/%2e%2e%5csecret.txt",
    "/out-link/secret.txt",
    "/out-link/site/folio.toml",
    "/secret-link.txt",
    "/%00",
    "/%ff",
    "http://127.0.0.1/../secret.txt",
])
def test_nothing_outside_output_is_served(served: Served, raw_path: str) -> None:
    status, _, body = served.get(raw_path)
    assert status in (400, 404)
    assert SECRET.encode() not in body
    assert b"root:" not in body and b"base_url" not in body


@pytest.mark.parametrize("raw_path, expected", [
    ("/" + "a" * 300 + "/", 404),  # one segment longer than a file name may be
    ("/tags/" + "%C3%A9" * 200 + "/index.html", 404),
    ("/" + "/".join(["deep"] * 700), 404),
    ("/" + "b" * 5000, 414),
])
def test_any_path_gets_an_answer_never_a_server_error(
    served: Served, raw_path: str, expected: int
) -> None:
    assert served.get(raw_path)[0] == expected


# Rebuilding --------------------------------------------------------------------


def test_a_burst_of_edits_is_one_rebuild(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    with serving(site) as server:
        stories = [article(f"Story {n}.", title=f"Burst {n}", date="2021-01-02") for n in range(20)]
        for number, story in enumerate(stories):  # twenty writes in a few milliseconds
            (site / "content" / f"burst-{number}.md").write_text(story, encoding="utf-8")
        wait_for(server.builds, "a rebuild")
        time.sleep(1.5)  # several times the quiet period: any second rebuild would show
        assert server.builds() == [server.builds()[0]], server.stdout()
        assert re.fullmatch(r"Rebuilt in \d+\.\d\d s \(20 files changed\)", server.builds()[0])
        for number in (0, 19):
            status, _, body = server.get(f"/2021/01/02/burst-{number}/")
            assert status == 200 and f"Burst {number}".encode() in body


def test_an_editor_save_is_one_rebuild_naming_the_file(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    source = site / "content" / "first.md"
    with serving(site) as server:
        swap, temporary = site / "content" / ".first.md.swp", site / "content" / "first.md~"
        swap.write_text("vim's swap file", encoding="utf-8")
        temporary.write_text(source.read_text("utf-8").replace("First Headline", "Saved"), "utf-8")
        temporary.replace(source)  # written aside, then renamed over the story
        swap.unlink()
        wait_for(server.builds, "a rebuild")
        time.sleep(1.0)
        assert server.builds() == [server.builds()[0]], server.stdout()
        assert server.builds()[0].endswith("s (content/first.md changed)")
        assert b'<h1 class="headline">Saved</h1>' in server.get(FIRST_URL)[2]


def test_writes_outside_the_sources_rebuild_nothing(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    with serving(site) as server:
        for folder in ("output", ".folio-cache", ".output.previous", "output/2020/05/01/first"):
            (site / folder).mkdir(parents=True, exist_ok=True)
            (site / folder / "stray.html").write_text("<p>stray</p>", encoding="utf-8")
        for name in (".#first.md", "first.md.swp", "first.md~", ".hidden.md"):
            (site / "content" / name).write_text("---\n", encoding="utf-8")
        (site / "notes.txt").write_text("not a source", encoding="utf-8")
        time.sleep(1.0)  # five times the quiet period
        assert server.builds() == [], server.stdout()
        (site / "folio.toml").write_text((site / "folio.toml").read_text("utf-8"), "utf-8")
        wait_for(server.builds, "a rebuild")
        time.sleep(0.5)
        assert len(server.builds()) == 1, server.stdout()
        assert server.builds()[0].endswith("s (folio.toml changed)")


def test_a_folder_made_after_the_start_is_watched(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", STORIES)
    with serving(site) as server:
        (site / "static").mkdir()
        wait_for(lambda: len(server.builds()) == 1, "the rebuild for static/")
        (site / "static" / "late.txt").write_text("made late", encoding="utf-8")
        wait_for(lambda: len(server.builds()) == 2, "the rebuild for static/late.txt")
        assert server.builds()[1].endswith("s (static/late.txt changed)")
        assert server.get("/late.txt")[2] == b"made late"


def test_a_content_folder_that_is_a_link_is_watched_through_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", STORIES)
    (site / "content").rename(tmp_path / "stories")
    (site / "content").symlink_to(tmp_path / "stories", target_is_directory=True)
    with serving(site) as server:
        story = (tmp_path / "stories" / "first.md").read_text(encoding="utf-8")
        (tmp_path / "stories" / "first.md").write_text(story.replace("First", "Linked"), "utf-8")
        wait_for(server.builds, "a rebuild")
        assert server.builds()[0].endswith("s (content/first.md changed)")
        assert b'<h1 class="headline">Linked Headline</h1>' in server.get(FIRST_URL)[2]


def test_a_broken_file_shows_an_error_page_until_it_is_fixed(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    source = site / "content" / "first.md"
    good = source.read_text(encoding="utf-8")
    with serving(site) as server:
        source.write_text(good.replace("title: First Headline", "title: [First <b>"), "utf-8")
        failed = "Build failed: 1 error (listed below and in the browser)"
        wait_for(lambda: server.builds() == [failed], "the failed build")
        for path in (FIRST_URL, "/", "/no/such/page/"):
            status, headers, body = server.get(path)
            assert status == 500
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"did not build" in body and b"content/first.md, line " in body
            assert b"<b>" not in body  # the YAML error quotes the source: escaped
            assert b'<script src="/livereload.js">' in body
        assert server.get("/css/folio.css")[0] == 200  # the old output is still there
        assert "content/first.md:" in server.stderr()

        source.write_text(good.replace("First Headline", "Fixed Headline"), "utf-8")
        wait_for(lambda: len(server.builds()) == 2, "the second build")
        assert server.builds()[1].startswith("Rebuilt in")
        status, _, body = server.get(FIRST_URL)
        assert status == 200 and b"Fixed Headline" in body


def test_a_site_broken_from_the_start_is_served_as_its_errors(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"bad.md": article(date="yesterday")})
    with serving(site) as server:
        assert "Build failed: 1 error" in server.stdout()
        status, _, body = server.get("/")
        assert status == 500 and b"content/bad.md, line 5" in body
        (site / "content" / "bad.md").write_text(article(title="Good Now"), encoding="utf-8")
        wait_for(lambda: server.get("/")[0] == 200, "the site to build")
        assert b"Good Now" in server.get("/")[2]


def test_a_broken_folio_toml_is_shown_too(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    config = (site / "folio.toml").read_text(encoding="utf-8")
    with serving(site) as server:
        (site / "folio.toml").write_text(config + "feed_size = 0\n", encoding="utf-8")
        wait_for(lambda: len(server.builds()) == 1, "the failed build")
        status, _, body = server.get(FIRST_URL)
        assert status == 500 and b"folio.toml, line 5" in body
        assert b"feed_size: must be at least 1" in body


def test_the_error_page_escapes_everything() -> None:
    page = error_page([ContentError("content/<x>.md", "<script>alert(1)</script>", 3, "title")])
    assert b"<script>" not in page
    assert b"content/&lt;x&gt;.md, line 3" in page
    assert b"title: &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_drafts_and_future_stories_only_when_asked_and_drafts_flagged(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        **STORIES,
        "wip.md": article(title="Work in Progress", draft=True),
        "later.md": article(title="From the Future", date="2999-01-01T09:00:00Z"),
    })
    with serving(site) as server:
        assert server.get("/2020/05/01/wip/")[0] == 404
        assert server.get("/2999/01/01/later/")[0] == 404
    with serving(site, "--drafts", "--future") as server:
        status, _, draft = server.get("/2020/05/01/wip/")
        flag = '<p class="draft-flag" data-pagefind-ignore>Draft — not published</p>'
        assert status == 200 and flag.encode() in draft
        assert server.get("/2999/01/01/later/")[0] == 200
        assert b"draft-flag" not in server.get(FIRST_URL)[2]


def test_the_debouncer_fires_once_per_quiet_burst() -> None:
    debouncer = Debouncer(quiet=0.2)
    assert debouncer.wait(0.0) is None
    debouncer.note("content/a.md", 0.1)
    debouncer.note("content/b.md", 0.2)  # still changing
    assert debouncer.wait(0.35) == pytest.approx(0.05)
    assert debouncer.wait(0.4) == 0
    assert debouncer.take() == {"content/a.md", "content/b.md"}
    assert debouncer.wait(5.0) is None  # once only


def test_a_base_path_is_served_under_its_path(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", STORIES)
    assert build(site).code == 0
    preview = Preview(site / "output", "/news", Outcome(BuildReport(2, 2, 2, 0.1)))
    assert preview.respond("/", "").location == "/news/"
    assert preview.respond("/news/tags", "").location == "/news/tags/"
    assert preview.respond("/news/", "").status == 200
    assert preview.respond("/tags/", "").status == 404


# Starting and stopping ---------------------------------------------------------


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", STORIES)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_folio("serve", "--site", site, "--port", str(taken.getsockname()[1]))
    assert result.code == 2
    assert "already in use" in result.err and "--port" in result.err
    assert not (site / "output").exists()  # nothing was built


def test_sigint_stops_cleanly(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    with serving(site) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        connection.request("GET", "/")  # a kept-alive connection is open when it stops
        connection.getresponse().read()
        code = server.stop()
        connection.close()
    assert code in (0, 130)
    assert "Traceback" not in server.stderr(), server.stderr()
    assert server.stdout().rstrip().endswith("Stopped.")


# A real browser ------------------------------------------------------------------


@pytest.mark.slow
def test_the_browser_reloads_on_edit_shows_errors_and_recovers(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    source = site / "content" / "first.md"
    good = source.read_text(encoding="utf-8")
    chromium = shutil.which("chromium")
    assert chromium, "the browser tests need Debian's chromium; `make test` installs it"
    with serving(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + FIRST_URL)
        assert page.locator("h1").text_content() == "First Headline"
        page.wait_for_function("window.LiveReload && window.LiveReload.connector.protocol === 7")
        page.evaluate("window.__marker = 1")

        started = time.monotonic()
        source.write_text(good.replace("First Headline", "Edited Headline"), "utf-8")
        page.wait_for_function(
            "document.querySelector('h1').textContent === 'Edited Headline'", timeout=5000
        )
        assert time.monotonic() - started < 3
        assert page.evaluate("window.__marker") is None  # reloaded by the server, not by us

        page.wait_for_function("window.LiveReload && window.LiveReload.connector.protocol === 7")
        source.write_text(good.replace("title: First Headline", "title: [broken"), "utf-8")
        page.wait_for_function(
            "document.body.textContent.includes('content/first.md')", timeout=5000
        )
        assert "did not build" in (page.locator("h1").text_content() or "")

        page.wait_for_function("window.LiveReload && window.LiveReload.connector.protocol === 7")
        source.write_text(good.replace("First Headline", "Fixed Headline"), "utf-8")
        page.wait_for_function(
            "document.querySelector('h1').textContent === 'Fixed Headline'", timeout=5000
        )
        browser.close()
