"""Search: the Pagefind index built with the site, the /search/ page, a real browser using it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from generator.site.archive import build_index
from generator.site.config import Config
from generator.site.model import ArticleHead
from generator.site.search import search_shards

from browser import serving
from conftest import CONFIG, article, build, make_site, tree
from fixture_site import write_fixture_site
from sitewalk import Site

SiteFactory = Callable[..., Path]
QUOKKA_URL = "/2020/05/01/quokka/"
STORIES = {
    "quokka.md": article(
        "A quokka was seen near the harbour, smiling. "
        "<img src=x onerror=\"document.title='owned'\">",
        title="Marsupial Spotted in Harbour",
        dek="Residents were surprised.",
        tags=["Zanzibar"],
        date="2020-05-01T09:30:00-04:00",
    ),
    "budget.md": article(
        "The council passed the budget after a long night.",
        title="Budget Passed",
        tags=["Zanzibar"],
        date="2020-06-02T10:00:00-04:00",
    ),
}


def built(site_factory: SiteFactory, config: str = CONFIG) -> Site:
    site = site_factory(STORIES, config)
    result = build(site)
    assert result.code == 0, result.err
    return Site(site / "output")


def test_the_index_covers_exactly_the_article_pages(site_factory: SiteFactory) -> None:
    site = built(site_factory)
    assert list(json.loads((site.root / "pagefind" / "shards.json").read_text())["shards"]) == [
        "2020"]
    assert (site.root / "pagefind" / "2020" / "pagefind.js").is_file()
    entry = json.loads((site.root / "pagefind" / "2020" / "pagefind-entry.json").read_text())
    assert [language["page_count"] for language in entry["languages"].values()] == [2]


def test_article_pages_mark_what_is_indexed(site_factory: SiteFactory) -> None:
    page = built(site_factory).soup(QUOKKA_URL)
    body = page.select_one("[data-pagefind-body]")
    assert body is not None and body.name == "article"
    assert len(page.select("[data-pagefind-body]")) == 1
    for part in (".headline", ".dek", ".byline", ".story-body"):
        assert body.select_one(part) is not None, part
    for ignored in (".site-nav", ".kicker", ".tags", ".related-articles", ".neighbours"):
        element = page.select_one(ignored)
        assert element is not None and element.has_attr("data-pagefind-ignore"), ignored
    assert body.select_one(".site-nav") is None
    when = body.select_one(".dateline time")
    assert when["data-pagefind-meta"] == "date, datetime[datetime]"
    assert page.select("[data-pagefind-meta]") == [when]


def test_the_search_page_has_a_labelled_get_form_and_its_files(site_factory: SiteFactory) -> None:
    site = built(site_factory)
    page = site.soup("/search/")
    form = page.select_one("form[role=search]")
    assert form["method"] == "get" and form["action"] == "/search/"
    field = form.select_one("input[name=q]")
    assert form.select_one(f"label[for={field['id']}]").get_text(strip=True)
    assert site.exists(page.select_one("[data-search-index]")["data-search-index"])
    assert site.exists(page.select_one("script[type=module]")["src"])
    for url in ("/", QUOKKA_URL, "/search/"):
        header = site.soup(url).select_one("header.masthead form[role=search]")
        assert header["method"] == "get" and header["action"] == "/search/", url
        field = header.select_one("input[name=q]")
        assert header.select_one(f"label[for={field['id']}]").get_text(strip=True), url


def test_a_language_pagefind_has_no_stemmer_for_still_gets_an_index(
    site_factory: SiteFactory,
) -> None:
    site = built(site_factory, CONFIG + 'language = "zh-Hant-TW"\n')
    entry = json.loads((site.root / "pagefind" / "2020" / "pagefind-entry.json").read_text())
    assert entry["languages"]["zh-hant-tw"]["wasm"] is None  # pagefind.js loads "unknown"
    assert (site.root / "pagefind" / "2020" / "wasm.unknown.pagefind").is_file()


def test_search_false_leaves_no_page_link_or_index(site_factory: SiteFactory) -> None:
    site = built(site_factory, CONFIG + "search = false\n")
    assert not site.exists("/search/")
    assert not (site.root / "pagefind").exists()
    for url in ("/", QUOKKA_URL):
        page = site.soup(url)
        assert "/search/" not in [a["href"] for a in page.select("a[href]")], url
        assert page.select_one("form[role=search]") is None, url


def test_a_site_without_articles_has_no_search(site_factory: SiteFactory) -> None:
    site = site_factory({})
    assert build(site).code == 0
    assert not (site / "output" / "search").exists()
    assert not (site / "output" / "pagefind").exists()


def test_a_failed_index_leaves_the_old_output(
    site_factory: SiteFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_factory(STORIES)
    assert build(site).code == 0
    before = tree(site / "output")
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho Running\necho 'Error: disk on fire' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    (site / "content" / "late.md").write_text(article(title="Late"), encoding="utf-8")
    result = build(site)
    assert result.code == 1
    assert result.err.strip() == (
        "search index: Pagefind failed: shard 2020: exit status 3: Error: disk on fire; "
        "set search = false in folio.toml to build without search"
    )
    assert tree(site / "output") == before
    leftovers = [p.name for p in site.iterdir() if p.name.startswith(".output")]
    assert leftovers in ([], [".output.previous"])


def test_a_pagefind_killed_by_the_kernel_is_said_to_be_out_of_memory(
    site_factory: SiteFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = tmp_path / "pagefind"
    killed.write_text("#!/bin/sh\nkill -KILL $$\n")
    killed.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(killed))
    result = build(site_factory(STORIES))
    assert result.code == 1
    assert result.err.strip() == (
        "search index: Pagefind failed: shard 2020: killed by SIGKILL (out of memory, "
        "if the kernel's OOM killer sent it); set search = false in folio.toml to build "
        "without search"
    )


# Shards: an index per year of stories, each made again only when its stories change.

def test_a_year_is_cut_into_large_shards_then_small_ones() -> None:
    start = datetime(2020, 1, 1, 9, tzinfo=UTC)
    dates = [start + timedelta(minutes=n) for n in range(4600)] + [datetime(2021, 2, 3, tzinfo=UTC)]
    heads = [ArticleHead(id=f"s{n:04}.md", slug=f"s{n:04}", url=f"/s{n:04}/", title="T",
                         bylines=("Jane",), section="News", date=date)
             for n, date in enumerate(dates)]
    config = Config(title="T", base_url="https://e.org/", now=datetime(2026, 1, 1, tzinfo=UTC))
    index, errors = build_index(heads, config)
    assert not errors
    assert {name: (len(pages), pages[0], pages[-1])
            for name, pages in search_shards(index).items()} == {
        "2020": (2000, "s0000/index.html", "s1999/index.html"),
        "2020-9": (2000, "s2000/index.html", "s3999/index.html"),
        "2020-17": (250, "s4000/index.html", "s4249/index.html"),
        "2020-18": (250, "s4250/index.html", "s4499/index.html"),
        "2020-19": (100, "s4500/index.html", "s4599/index.html"),
        "2021": (1, "s4600/index.html", "s4600/index.html"),
    }

YEARS = {str(year) for year in range(2013, 2025)}


def search_files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of the built search index, with its inode and modification time."""
    root = site / "output" / "pagefind"
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The shard folders (and other files) of the index with a file made, changed or gone."""
    return {name.split("/")[0] for name in before.keys() | after.keys()
            if before.get(name) != after.get(name)}


def test_an_edit_or_a_new_story_indexes_only_its_shard_again(tmp_path: Path) -> None:
    site = tmp_path / "site"
    metas = write_fixture_site(site, 60)
    assert build(site).code == 0
    before = search_files(site)
    assert changed({}, before) == YEARS | {"shards.json"}
    story = site / "content" / next(m["file"] for m in metas if m["date"].startswith("2018"))
    story.write_text(story.read_text().replace("was reported today", "was reported at dawn"))
    assert build(site).code == 0
    edited = search_files(site)
    assert changed(before, edited) == {"2018"}
    late = article("The ferry strike ended at dawn.", title="Ferry Strike Ends",
                   tags=["Syria", "Elections", "Floods"], date="2024-12-31T23:30:00-05:00")
    (site / "content" / "late.md").write_text(late)
    assert build(site).code == 0
    assert changed(edited, search_files(site)) == {"2024", "shards.json"}


# A real browser on the built site, served over HTTP as any static host would.

@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test site built under the base path /news/, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    site = make_site(root / "site", STORIES)
    result = build(site, "--output", root / "www" / "news", "--base-url", "https://e.org/news/")
    assert result.code == 0, result.err
    with serving(root / "www") as url:
        yield f"{url}/news"



def results_for(page: Page, query: str) -> None:
    expect(page.locator(".search-status")).to_contain_text(f"“{query}”")


@pytest.mark.slow
def test_browser_finds_the_one_article_with_a_word(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(f"{served}/search/?q=quokka")
    results_for(page, "quokka")
    items = page.locator(".search-results > li")
    expect(items).to_have_count(1)
    link = items.locator("h2 a")
    expect(link).to_have_text("Marsupial Spotted in Harbour")
    expect(link).to_have_attribute("href", "/news" + QUOKKA_URL)
    expect(items.locator("time")).to_have_text("May 1, 2020, 9:30 a.m. EDT")
    expect(items.locator("time")).to_have_attribute("datetime", "2020-05-01T09:30:00-04:00")
    excerpt = items.locator(".search-result-excerpt")
    expect(excerpt).to_contain_text("was seen near the harbour")
    expect(excerpt.locator("mark")).to_have_text(re.compile("quokka", re.IGNORECASE))
    expect(excerpt).to_contain_text("<img src=x")  # the body's text, shown as text
    expect(excerpt.locator("img")).to_have_count(0)
    assert page.title() == "Search · Test Gazette"
    page.close()


@pytest.mark.slow
def test_browser_search_form_and_ignored_navigation(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(f"{served}/search/")
    field = page.get_by_label("Search every story in the archive")
    for query in ("News", "Zanzibar"):  # the section (kicker, site nav) and tags are not indexed
        field.fill(query)
        field.press("Enter")
        page.wait_for_url(re.compile(rf"/news/search/\?q={query}$"))
        results_for(page, query)
        expect(page.locator(".search-status")).to_have_text(f"No stories match “{query}”.")
        field = page.get_by_label("Search every story in the archive")
        expect(field).to_have_value(query)
    page.close()


@pytest.mark.slow
def test_without_javascript_the_search_page_offers_the_indexes(
    browser: Browser, served: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/search/?q=quokka")
    browse = page.locator(".search-browse")
    for name, url in (("Tags", "tags"), ("Authors", "authors"), ("Archive by date", "archive")):
        expect(browse.get_by_role("link", name=name)).to_have_attribute("href", f"/news/{url}/")
    expect(page.locator(".search-nojs")).to_be_visible()
    expect(page.locator(".search-form")).to_be_hidden()
    context.close()


@pytest.fixture(scope="module")
def sharded_and_single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """60 stories over twelve years built under /news/ (an index shard a year), and
    beside them at /single/ one Pagefind index made directly over their story pages."""
    root = tmp_path_factory.mktemp("shards")
    write_fixture_site(root / "site", 60)
    site = root / "www" / "news"
    result = build(root / "site", "--output", site, "--base-url", "https://e.org/news/")
    assert result.code == 0, result.err
    stories = root / "stories"
    for page in site.rglob("*.html"):
        if "data-pagefind-body" in page.read_text(encoding="utf-8"):
            copy = stories / "news" / page.relative_to(site)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, copy)
    from pagefind.service import get_executable

    subprocess.run([str(get_executable()), "--site", str(stories), "--silent",
                    "--output-path", str(root / "www" / "single")], check=True)
    with serving(root / "www") as url:
        yield url


@pytest.mark.slow
def test_the_shards_find_what_one_index_finds(browser: Browser, sharded_and_single: str) -> None:
    page = browser.new_page()
    found = {}
    queries = ("council", "ferry", "museum census", "museum zzyzx", "amira haddad", "zzyzx")
    for query in queries:
        page.goto(f"{sharded_and_single}/news/search/?q={query}")
        results_for(page, query)
        shown = page.locator(".search-results > li h2 a")
        sharded = {shown.nth(n).get_attribute("href") for n in range(shown.count())}
        single = page.evaluate("""async (query) => {
            const pagefind = await import("/single/pagefind.js");
            const found = await pagefind.search(query);
            return Promise.all(found.results.map(async (result) => (await result.data()).url));
        }""", query)
        assert sharded == set(single), query
        found[query] = len(sharded)
    # A word no story has is left out of a query; words of different stories find none.
    assert {query for query, count in found.items() if not count} == {"museum census", "zzyzx"}
    assert found["museum zzyzx"] > 0, found
    page.close()
