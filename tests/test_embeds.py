"""Embeds without trackers: a fenced `embed` block becomes a box with a plain link,
which loads nothing from the provider until the reader presses its button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Browser

from browser import axe_violations, describe_violations, new_page, serving
from conftest import CONFIG, article, build, make_site, photo_bytes
from sitewalk import Site

STORY_URL = "/2020/05/01/embeds/"
# (URL as written, provider shown, iframe address once the reader asks)
EMBEDS = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=65"),
    ("https://youtu.be/dQw4w9WgXcQ", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://vimeo.com/76979871", "Vimeo",
     "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
    ("https://x.com/Reuters/status/1234567890123456789", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true"),
    ("https://twitter.com/vicenews/status/644965203447422976", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=644965203447422976&dnt=true"),
    ("https://www.instagram.com/p/CxYz12AbCdE/", "Instagram",
     "https://www.instagram.com/p/CxYz12AbCdE/embed/"),
    ("https://www.facebook.com/vicenews/posts/10153000000000001", "Facebook",
     "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2F"
     "vicenews%2Fposts%2F10153000000000001&show_text=true"),
    ("https://www.documentcloud.org/documents/2433411-syria-report", "DocumentCloud",
     "https://embed.documentcloud.org/documents/2433411-syria-report/?embed=1&responsive=1"),
    ("https://datawrapper.dwcdn.net/Ab3De/2/", "Datawrapper",
     "https://datawrapper.dwcdn.net/Ab3De/2/"),
    ("https://public.flourish.studio/visualisation/1234567/", "Flourish",
     "https://flo.uri.sh/visualisation/1234567/embed"),
    ("https://graphics.gazette.example.org/elections/map/", "graphics.gazette.example.org",
     "https://graphics.gazette.example.org/elections/map/"),
]
SITE_CONFIG = CONFIG + 'embed_hosts = ["graphics.gazette.example.org"]\n'


def block(url: str, title: str | None = None) -> str:
    return f"```embed\n{url}\n" + (f"title: {title}\n" if title else "") + "```\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    figure = '![Boats in the harbour](/images/harbour.png "The harbour at dawn | Staff")\n\n'
    body = "The interview.\n\n" + figure + "\n".join(
        block(url, "The <mayor> & the \"river\"" if index == 0 else None)
        for index, (url, _, _) in enumerate(EMBEDS)
    )
    root = make_site(tmp_path_factory.mktemp("embeds"), {
        "embeds.md": article(body, title="Embeds", slug="embeds", date="2020-05-01T09:00:00Z"),
        "images/harbour.png": photo_bytes(800, 500, kind="PNG"),
    }, SITE_CONFIG)
    result = build(root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def facades(site: Path) -> list[Tag]:
    page = Site(site / "output").soup(STORY_URL)
    return page.select(".story-body figure.embed")


@pytest.mark.parametrize(("index", "url", "provider", "frame"),
                         [(i, *embed) for i, embed in enumerate(EMBEDS)],
                         ids=[f"{i}-{embed[1]}" for i, embed in enumerate(EMBEDS)])
def test_each_provider_becomes_a_facade_with_a_plain_link(
    facades: list[Tag], index: int, url: str, provider: str, frame: str
) -> None:
    assert len(facades) == len(EMBEDS)
    facade = facades[index]
    assert facade["data-embed-src"] == frame
    assert facade.select_one(".embed-provider").get_text() == provider
    assert facade.select_one("button.embed-load").has_attr("hidden")  # shown by the script
    link = facade.select_one("figcaption a")
    assert link["href"] == url
    assert provider in link.get_text()
    assert facade.select("iframe, img, script") == []


def test_the_title_is_shown_and_escaped(site: Path, facades: list[Tag]) -> None:
    facade = facades[0]
    assert facade.select_one(".embed-title").get_text() == 'The <mayor> & the "river"'
    assert facade["data-embed-title"] == 'The <mayor> & the "river"'
    source = (site / "output" / STORY_URL.strip("/") / "index.html").read_text()
    assert "<mayor>" not in source


def test_the_page_loads_the_script_and_nothing_from_a_provider(site: Path) -> None:
    page = Site(site / "output").soup(STORY_URL)
    scripts = [s["src"] for s in page.select("script[src]")]
    assert scripts == ["/js/embeds.js"]
    outside = [tag for tag in page.select("[src]") if "://" in tag["src"]]
    assert outside == []


def test_feeds_carry_the_plain_link_not_the_box(site: Path) -> None:
    feed = BeautifulSoup((site / "output" / "feed.xml").read_text(), "xml")
    content = BeautifulSoup(feed.select_one("entry content").get_text(), "html.parser")
    links = [a["href"] for a in content.select("a")]
    assert links == [url for url, _, _ in EMBEDS]
    assert content.select("figure.embed, button, iframe, [data-embed-src]") == []
    assert content.select_one("a").get_text() == 'Watch on YouTube: The <mayor> & the "river"'


BAD = [
    (block("http://www.youtube.com/watch?v=dQw4w9WgXcQ"), 2,
     "'http://www.youtube.com/watch?v=dQw4w9WgXcQ' is not an https:// URL"),
    (block("https://www.youtube.com/watch?v=short"), 2,
     "is not a YouTube address Folio can embed; expected https://www.youtube.com/watch?v=ID"),
    (block("https://tracker.example.com/widget"), 2,
     "'tracker.example.com' is not a host Folio embeds; expected a URL of YouTube, Vimeo, X, "
     "Instagram, Facebook, DocumentCloud, Datawrapper, Flourish, or a host listed in "
     "embed_hosts in folio.toml"),
    (block("https://x.com/Reuters"), 2,
     "expected https://x.com/USER/status/NUMBER"),
    ("```embed\nhttps://vimeo.com/76979871\ntitle: A film\nheight: 300\n```\n", 4,
     "line 'height: 300' is not understood"),
    ("```embed\n```\n", 1, "embed block is empty"),
    ("```embed\n\nhttp://youtu.be/dQw4w9WgXcQ\n```\n", 3, "is not an https:// URL"),
    (block('https://www.youtube.com/watch?v=dQw4w9WgXcQ" onload="alert(1)'), 2,
     "is not a URL; expected one https:// address"),
]


def test_bad_embeds_are_errors_naming_file_line_and_what_was_expected(
    tmp_path: Path,
) -> None:
    files = {f"bad{i}.md": article(f"Intro.\n\nMore text.\n\n{source}", title=f"Bad {i}")
             for i, (source, _, _) in enumerate(BAD)}
    root = make_site(tmp_path / "site", files, SITE_CONFIG)
    result = build(root)
    assert result.code == 1
    body_start = article("").count("\n")  # front matter and fences, then line 1 of the body
    for i, (_, line, expected) in enumerate(BAD):
        where = f"content/bad{i}.md:{body_start + 4 + line - 1}: "
        found = [row for row in result.err.splitlines() if where in row]
        assert len(found) == 1 and expected in found[0], (where, result.err)
    assert not (root / "output").exists()


def test_embed_hosts_must_be_host_names(tmp_path: Path) -> None:
    config = CONFIG + 'embed_hosts = ["https://graphics.example.org/"]\n'
    root = make_site(tmp_path / "site", {"a.md": article()}, config)
    result = build(root)
    assert result.code == 1
    assert re.search(r"folio\.toml:\d+: embed_hosts: expected host names", result.err), result.err


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serving(site / "output") as url:
        yield url



@pytest.mark.slow
def test_nothing_is_fetched_from_the_provider_until_the_reader_asks(
    served: str, browser: Browser
) -> None:
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(served + STORY_URL)
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(served) for url in requested), requested
    assert f"{served}/js/embeds.js" in requested
    violations = axe_violations(page)  # the boxes, and a figure beside them
    assert violations == [], describe_violations(violations)

    first = page.locator("figure.embed").first
    button = first.get_by_role("button")
    assert button.is_visible()
    with page.expect_request(lambda request: not request.url.startswith(served)) as asked:
        button.click()
    assert asked.value.url == EMBEDS[0][2]
    frame = first.locator("iframe")
    assert frame.get_attribute("src") == EMBEDS[0][2]
    assert frame.get_attribute("title") == 'The <mayor> & the "river"'
    outside = [url for url in requested if not url.startswith(served)]
    assert all(url.startswith("https://www.youtube-nocookie.com/embed/") for url in outside)
    assert page.locator("iframe").count() == 1  # the other embeds still wait
    page.context.close()


@pytest.mark.slow
def test_without_javascript_the_reader_has_the_link_and_no_button(
    served: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + STORY_URL)
    first = page.locator("figure.embed").first
    assert not first.get_by_role("button").is_visible()
    assert first.get_by_role("link").get_attribute("href") == EMBEDS[0][0]
    context.close()
