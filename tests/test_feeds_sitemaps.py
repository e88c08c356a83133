"""What feed readers and crawlers get: Atom feeds, sitemaps, robots.txt, JSON-LD, Open Graph.

Feeds are validated against the RFC 4287 RELAX NG schema and sitemaps against the
sitemaps.org and Google News XSDs, all kept offline in tests/schemas/ (see its README).
Every expectation is worked out here from the front matter the tests write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator.site.slugs import slugify

from conftest import CONFIG, REPO, article, build, make_site
from fixture_site import gif
from sitewalk import Site

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://gazette.example.org"
ZONE = ZoneInfo("America/New_York")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
FEED_SIZE = 3
PUBLISHER = "Gazette Media Group"
SITE_CONFIG = CONFIG + f"""\
feed_size = {FEED_SIZE}
publisher = "{PUBLISHER}"
organizations = ["Reuters", "Wire Desk"]
"""
ORGANIZATIONS = {"Reuters", "Wire Desk"}
HOSTILE = '<script>alert(1)</script> & "quotes"'
SCRIPT_TITLE = '</script><script>alert(1)</script> "quoted"'
Meta = dict[str, Any]


@dataclass(frozen=True)
class Story:
    """One article: its front matter, its body, and what Folio should make of them."""

    meta: Meta
    body: str = "Opening paragraph.\n\nMore to come."
    lead: str = "Opening paragraph."  # the body's first paragraph as plain text

    @property
    def slug(self) -> str:
        return str(self.meta["slug"])

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.meta["date"])

    @property
    def modified(self) -> datetime:
        return datetime.fromisoformat(self.meta.get("updated") or self.meta["date"])

    @property
    def url(self) -> str:
        return f"{BASE}{self.published.astimezone(ZONE):/%Y/%m/%d/}{self.slug}/"

    @property
    def summary(self) -> str:
        return str(self.meta.get("dek") or self.lead)

    def source(self) -> str:
        return article(self.body, **self.meta)


def story(slug: str, day: int, body: str | None = None, lead: str = "", **fields: Any) -> Story:
    meta = {
        "slug": slug, "title": f"Story {slug}", "byline": ["Jane Reporter"],
        "date": f"2021-01-{day:02d}T10:00:00-05:00", "section": "News", "tags": ["Syria"],
        "dek": f"Dek of {slug}.", **fields,
    }
    return Story(meta, body, lead) if body else Story(meta)


STORIES = [
    story("script-title", 3, title=SCRIPT_TITLE),
    story("first-dispatch", 4, section="World"),
    story(
        "wire-report", 5, byline=["Reuters", "Jane Reporter"], tags=["Syria", "Russia"],
        updated="2021-01-09T08:00:00-05:00",  # later than the newest story's date
        corrections=[{"date": "2021-01-06", "text": "An earlier version misspelled a name."}],
        photo={"src": "https://images.example.net/wire.jpg", "alt": "Convoy", "credit": "Reuters"},
    ),
    story(
        "local-photo", 6, "Opening *line* of the story.\n\nSee [x](/tags/syria/) for more.",
        "Opening line of the story.", byline=["Amira Haddad"], section="World", dek=None,
        photo={"src": "images/scene.gif", "alt": "A scene", "caption": "Dusk", "credit": "Staff"},
    ),
    story(
        "hostile-text", 7, title=f"Headline {HOSTILE}", dek=f"Dek {HOSTILE}",
        byline=[f"Byline {HOSTILE}"],
    ),
    story("latest", 8, byline=["Wire Desk"], tags=["Russia"], aliases=["/old/latest-story/"]),
]
BY_SLUG = {s.slug: s for s in STORIES}


def names(s: Story, key: str) -> list[str]:
    value = s.meta[key]
    return list(value) if isinstance(value, list) else [value]


def term_url(kind: str, name: str) -> str:
    return f"/{kind}/{slugify(name)}/"


def expected_feeds() -> dict[str, list[Story]]:
    """Feed path -> the stories its list holds, newest first."""
    feeds: dict[str, list[Story]] = {"/feed.xml": list(STORIES)}
    for key, kind in (("tags", "tags"), ("byline", "authors"), ("section", "sections")):
        for s in STORIES:
            for name in names(s, key):
                feeds.setdefault(term_url(kind, name) + "feed.xml", []).append(s)
    return {url: sorted(group, key=lambda s: s.published, reverse=True)
            for url, group in feeds.items()}


FEEDS = expected_feeds()


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@cache
def xml_schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def valid(schema: etree.RelaxNG | etree.XMLSchema, path: Path) -> etree._Element:
    doc = etree.parse(str(path))
    assert schema.validate(doc), f"{path}: {schema.error_log}"
    return doc.getroot()


def instant(text: str | None) -> datetime:
    assert text, "missing date"
    return datetime.fromisoformat(text.strip())


def site_path(href: str) -> str:
    """The site path an href names; absolute URLs must be on this site."""
    parts = urlsplit(href)
    assert not parts.netloc or f"{parts.scheme}://{parts.netloc}" == BASE, href
    return parts.path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    files: dict[str, str | bytes] = {f"{s.slug}.md": s.source() for s in STORIES}
    files["images/scene.gif"] = gif(90)
    root = make_site(tmp_path_factory.mktemp("feeds"), files, SITE_CONFIG)
    result = build(root)
    assert result.code == 0, result.err
    return Site(root / "output")


# Atom feeds.

def test_every_list_has_a_feed_and_nothing_else_is_one(site: Site) -> None:
    written = {"/" + p.relative_to(site.root).as_posix() for p in site.root.rglob("feed.xml")}
    assert written == set(FEEDS) | {"/corrections/feed.xml"}  # see test_corrections.py


def links(element: etree._Element) -> dict[str, str]:
    """rel -> href of an Atom feed's or entry's own links."""
    return {a.get("rel", "alternate"): a.get("href") for a in element.findall(f"{ATOM}link")}


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_feed_is_valid_atom_with_the_newest_entries(site: Site, feed: str) -> None:
    root = valid(atom_schema(), site.file(feed))
    page = feed.removesuffix("feed.xml")
    assert root.findtext(f"{ATOM}id") == BASE + page
    assert (root.findtext(f"{ATOM}title") or "").strip()
    feed_links = links(root)
    assert feed_links["self"] == BASE + feed
    assert feed_links["alternate"] == BASE + page
    entries = root.findall(f"{ATOM}entry")
    want = FEEDS[feed][:FEED_SIZE]
    assert [e.findtext(f"{ATOM}id") for e in entries] == [s.url for s in want]
    assert instant(root.findtext(f"{ATOM}updated")) == max(s.modified for s in want)
    for entry, s in zip(entries, want, strict=True):
        check_entry(entry, s)


def check_entry(entry: etree._Element, s: Story) -> None:
    assert entry.findtext(f"{ATOM}title") == s.meta["title"]
    assert links(entry)["alternate"] == s.url
    assert instant(entry.findtext(f"{ATOM}published")) == s.published
    assert instant(entry.findtext(f"{ATOM}updated")) == s.modified
    authors = entry.findall(f"{ATOM}author")
    assert [a.findtext(f"{ATOM}name") for a in authors] == names(s, "byline")
    assert [a.findtext(f"{ATOM}uri") for a in authors] == [
        BASE + term_url("authors", n) for n in names(s, "byline")
    ]
    categories = entry.findall(f"{ATOM}category")
    labels = [c.get("label") or c.get("term") for c in categories]
    assert labels == names(s, "tags")
    assert entry.findtext(f"{ATOM}summary") == s.summary
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert (content.text or "").strip()


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_feedparser_reads_feed_cleanly(site: Site, feed: str) -> None:
    parsed = feedparser.parse(site.file(feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    want = FEEDS[feed][: min(len(FEEDS[feed]), FEED_SIZE)]
    assert len(parsed.entries) == len(want)
    assert [e.link for e in parsed.entries] == [s.url for s in want]
    times = [e.published_parsed for e in parsed.entries]
    assert times == sorted(times, reverse=True)
    for entry, s in zip(parsed.entries, want, strict=True):
        assert [a.name for a in entry.authors] == names(s, "byline")


def test_feed_size_defaults_to_twenty(site_factory: Any) -> None:
    files = {
        f"s{i}.md": article(title=f"Story {i}", tags=["Syria"], date=f"2021-02-{i:02d}T10:00:00Z")
        for i in range(1, 23)
    }
    out = Site(site_factory(files) / "output")
    assert build(out.root.parent).code == 0
    for feed in ("/feed.xml", "/tags/syria/feed.xml", "/authors/jane-reporter/feed.xml"):
        entries = feedparser.parse(out.file(feed).read_bytes()).entries
        assert [e.title for e in entries] == [f"Story {i}" for i in range(22, 2, -1)], feed


@pytest.mark.parametrize(("feed", "slug"), [
    ("/feed.xml", "hostile-text"),
    (term_url("authors", f"Byline {HOSTILE}") + "feed.xml", "hostile-text"),
    ("/authors/jane-reporter/feed.xml", "script-title"),
])
def test_hostile_text_round_trips_through_feedparser(site: Site, feed: str, slug: str) -> None:
    s = BY_SLUG[slug]
    raw = site.file(feed).read_bytes()
    assert b"<script>" not in raw and b"</script>" not in raw
    entry = next(e for e in feedparser.parse(raw).entries if e.link == s.url)
    assert entry.title == s.meta["title"]
    assert entry.summary == s.summary
    assert [a.name for a in entry.authors] == names(s, "byline")


def test_root_relative_links_are_absolute_in_feed_content(site: Site) -> None:
    root = etree.parse(str(site.file("/feed.xml"))).getroot()
    entry = next(e for e in root.iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}id") == BY_SLUG["local-photo"].url)
    body = BeautifulSoup(entry.findtext(f"{ATOM}content") or "", "html.parser")
    assert [a["href"] for a in body.find_all("a")] == [f"{BASE}/tags/syria/"]


@pytest.mark.parametrize(("page", "feed"), [
    ("/", "/feed.xml"),
    ("/tags/syria/", "/tags/syria/feed.xml"),
    ("/authors/jane-reporter/", "/authors/jane-reporter/feed.xml"),
    ("/sections/world/", "/sections/world/feed.xml"),
])
def test_html_page_links_its_feed(site: Site, page: str, feed: str) -> None:
    found = [site_path(link["href"]) for link in site.soup(page).find_all(
        "link", rel="alternate", type="application/atom+xml")]
    assert feed in found
    assert all(site.exists(path) for path in found), found


# Sitemaps and robots.txt.

@pytest.fixture(scope="module")
def sitemap(site: Site) -> dict[str, str]:
    """Site path -> lastmod, from a sitemap.xml that validates."""
    root = valid(xml_schema("sitemap.xsd"), site.file("/sitemap.xml"))
    assert root.tag == f"{SITEMAP}urlset"
    entries = {}
    for url in root.iter(f"{SITEMAP}url"):
        loc = url.findtext(f"{SITEMAP}loc") or ""
        assert loc.startswith(BASE + "/"), loc
        entries[site_path(loc)] = url.findtext(f"{SITEMAP}lastmod") or ""
    return entries


def test_sitemap_locs_are_written_html_pages(site: Site, sitemap: dict[str, str]) -> None:
    for path in sitemap:
        assert site.file(path).suffix == ".html" and site.exists(path), path


def test_sitemap_lists_every_article_and_list_page(sitemap: dict[str, str]) -> None:
    lists = {"/", "/archive/", "/tags/", "/authors/", "/sections/", "/2021/", "/2021/01/"}
    lists |= {f"/2021/01/{day:02d}/" for day in range(3, 9)}
    lists |= {feed.removesuffix("feed.xml") for feed in FEEDS}
    articles = {site_path(s.url) for s in STORIES}
    assert articles | lists <= set(sitemap), sorted(articles | lists - set(sitemap))


def test_sitemap_leaves_out_redirects_and_404(site: Site, sitemap: dict[str, str]) -> None:
    assert site.exists("/old/latest-story/")  # the alias page is written ...
    assert "/old/latest-story/" not in sitemap  # ... but not offered to crawlers
    assert not [path for path in sitemap if "404" in path]


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_article_lastmod_is_updated_or_date(sitemap: dict[str, str], slug: str) -> None:
    s = BY_SLUG[slug]
    assert instant(sitemap[site_path(s.url)]) == s.modified


@pytest.mark.parametrize(("path", "shows"), [
    ("/", lambda s: True),
    ("/tags/russia/", lambda s: "Russia" in s.meta["tags"]),
    ("/sections/world/", lambda s: s.meta["section"] == "World"),
    ("/authors/wire-desk/", lambda s: "Wire Desk" in s.meta["byline"]),
])
def test_list_lastmod_is_the_latest_change_of_its_stories(
    sitemap: dict[str, str], path: str, shows: Callable[[Story], bool]
) -> None:
    """Not the date of the newest story: an older one (wire-report) was updated later."""
    assert instant(sitemap[path]) == max(s.modified for s in STORIES if shows(s))


def sitemaps_named(robots: Path) -> list[str]:
    lines = robots.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap:")]


def test_without_recent_stories_there_is_no_news_sitemap(site: Site) -> None:
    # The sitemap schema requires at least one <url>, so an empty one is not written.
    assert not site.exists("/news-sitemap.xml")
    assert sitemaps_named(site.file("/robots.txt")) == [f"{BASE}/sitemap.xml"]


EPOCH = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
AGES = {
    "one-hour": timedelta(hours=1), "forty-seven-hours": timedelta(hours=47),
    "forty-nine-hours": timedelta(hours=49), "ten-days": timedelta(days=10),
}
FRESH = {"one-hour", "forty-seven-hours"}
NEWS_STORIES = {
    slug: Story({"slug": slug, "title": f"Fresh & {slug}", "byline": ["Jane Reporter"],
                 "date": (EPOCH - age).isoformat()})
    for slug, age in AGES.items()
}


@pytest.fixture(scope="module")
def news_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built at SOURCE_DATE_EPOCH, with no --now."""
    files: dict[str, str | bytes] = {f"{slug}.md": s.source() for slug, s in NEWS_STORIES.items()}
    root = make_site(tmp_path_factory.mktemp("news"), files, SITE_CONFIG)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(root), "--quiet"],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(int(EPOCH.timestamp()))},
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "output"


@pytest.fixture(scope="module")
def news_sitemap(news_site: Path) -> etree._Element:
    return valid(xml_schema("sitemap-with-news.xsd"), news_site / "news-sitemap.xml")


def test_robots_txt_names_both_sitemaps(news_site: Path) -> None:
    assert sitemaps_named(news_site / "robots.txt") == [
        f"{BASE}/sitemap.xml", f"{BASE}/news-sitemap.xml"
    ]


def test_news_sitemap_holds_exactly_the_last_two_days(news_sitemap: etree._Element) -> None:
    locs = [url.findtext(f"{SITEMAP}loc") for url in news_sitemap.iter(f"{SITEMAP}url")]
    assert sorted(locs) == sorted(NEWS_STORIES[slug].url for slug in FRESH)


def test_news_sitemap_entries_carry_news_metadata(news_sitemap: etree._Element) -> None:
    by_url = {s.url: s for s in NEWS_STORIES.values()}
    for url in news_sitemap.iter(f"{SITEMAP}url"):
        s = by_url[url.findtext(f"{SITEMAP}loc") or ""]
        news = url.find(f"{NEWS}news")
        assert news is not None
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == PUBLISHER
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert instant(news.findtext(f"{NEWS}publication_date")) == s.published
        assert news.findtext(f"{NEWS}title") == s.meta["title"]


# JSON-LD and Open Graph on article pages.

def one_json_ld(soup: BeautifulSoup) -> Any:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, scripts
    return json.loads(scripts[0].string or "")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def url_of(value: Any) -> str:
    return value if isinstance(value, str) else str(value.get("@id") or value.get("url"))


def keywords(value: Any) -> list[str]:
    return [k.strip() for k in value.split(",")] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_article_json_ld_is_a_news_article(site: Site, slug: str) -> None:
    s = BY_SLUG[slug]
    data = one_json_ld(site.soup(s.url))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == s.meta["title"]
    assert data["description"] == s.summary
    assert instant(data["datePublished"]) == s.published
    assert instant(data["dateModified"]) == s.modified
    assert url_of(data["mainEntityOfPage"]) == s.url
    assert data["articleSection"] == s.meta["section"]
    assert keywords(data["keywords"]) == names(s, "tags")
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == PUBLISHER
    assert as_list(data["author"]) == [
        {"@type": "Organization" if n in ORGANIZATIONS else "Person", "name": n,
         "url": BASE + term_url("authors", n)}
        for n in names(s, "byline")
    ]


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_article_json_ld_image_and_corrections(site: Site, slug: str) -> None:
    s = BY_SLUG[slug]
    data = one_json_ld(site.soup(s.url))
    src = (s.meta.get("photo") or {}).get("src")
    if not src:
        assert "image" not in data
    else:
        image = url_of(as_list(data["image"])[0])
        if src.startswith("https://"):
            assert image == src
        else:
            assert image.startswith(BASE + "/") and site.exists(site_path(image)), image
    corrections = s.meta.get("corrections", [])
    assert len(data.get("correction", [])) == len(corrections)
    for got, want in zip(data.get("correction", []), corrections, strict=True):
        assert got["@type"] == "CorrectionComment"
        assert got["text"] == want["text"]
        assert got["datePublished"].startswith(want["date"])


def test_script_in_title_stays_inside_the_json_string(site: Site) -> None:
    soup = site.soup(BY_SLUG["script-title"].url)
    assert one_json_ld(soup)["headline"] == SCRIPT_TITLE


def test_no_page_runs_injected_script(site: Site) -> None:
    for page in site.pages():
        for script in site.soup(page).find_all("script"):
            if script.get("type") != "application/ld+json":
                assert "alert" not in script.get_text(), page


def meta(soup: BeautifulSoup, key: str) -> list[str]:
    tags = soup.find_all("meta", property=key) + soup.find_all("meta", attrs={"name": key})
    return [tag["content"] for tag in tags]


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_article_open_graph_and_twitter_tags(site: Site, slug: str) -> None:
    s = BY_SLUG[slug]
    soup = site.soup(s.url)
    assert meta(soup, "og:type") == ["article"]
    assert [instant(t) for t in meta(soup, "article:published_time")] == [s.published]
    assert [instant(t) for t in meta(soup, "article:modified_time")] == [s.modified]
    assert meta(soup, "article:author") == [
        BASE + term_url("authors", n) for n in names(s, "byline")
    ]
    assert meta(soup, "article:section") == [s.meta["section"]]
    assert meta(soup, "article:tag") == names(s, "tags")
    assert [card for card in meta(soup, "twitter:card") if card]
    assert [link["href"] for link in soup.find_all("link", rel="canonical")] == [s.url]
    assert meta(soup, "description") == [s.summary]
