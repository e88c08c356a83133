"""Stable pagination (the default): numbered pages count from the oldest story.

`/tags/oil/page/1/` holds the oldest `per_page` stories forever; the front page shows
the newest; a new story changes only the front page of each list it joins, and the
newest numbered page when it starts one. Every expected URL is written out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_index import day, story
from test_pages import plan, refs

from conftest import NOW, article, build, make_site, run_folio, tree

CONFIG = """\
title = "Stable Gazette"
base_url = "https://stable.example.org/"
per_page = 3
permalink = "/stories/{slug}/"
search = false
"""
LISTS = ("", "tags/oil/", "authors/jane-reporter/", "sections/news/", "2020/", "2020/05/")
"""Every list the stories s3 and later join, as output folders."""
INDEXES = {"tags/index.html", "authors/index.html", "sections/index.html",
           "archive/index.html"}
"""Pages that count each list's stories."""


def story_file(n: int, date: str = "") -> str:
    tags = ["Oil", "Gas"] if n <= 2 else ["Oil"]
    return article(title=f"Story {n}", date=date or f"2020-05-{n:02d}T09:00:00Z", tags=tags)


def add(site: Path, *numbers: int) -> None:
    for n in numbers:
        (site / "content" / f"s{n}.md").write_text(story_file(n), encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Seven stories, three a page."""
    root = make_site(tmp_path / "site", {}, CONFIG)
    add(root, *range(1, 8))
    return root


def listing(out: Path, url: str) -> dict[str, object]:
    """What a reader sees of a list page: its stories, pager links, canonical URL, title."""
    soup = BeautifulSoup((out / url.strip("/") / "index.html").read_text("utf-8"), "html.parser")
    newer, older = (soup.select_one(f".pagination a[rel={rel}]") for rel in ("prev", "next"))
    return {
        "stories": [a.get_text(strip=True) for a in soup.select(".cards .card-title a")],
        "newer": newer["href"] if newer else None,
        "older": older["href"] if older else None,
        "canonical": soup.select_one("link[rel=canonical]")["href"],
        "title": soup.title.get_text(),
    }


def test_numbered_pages_count_from_the_oldest_and_each_holds_a_story_the_front_lacks() -> None:
    pages = plan([story(f"s{n}", day(n)) for n in range(1, 8)], per_page=3)
    assert [url for url in pages if url == "/" or url.startswith("/page/")] == [
        "/", "/page/2/", "/page/1/"]
    assert [pages[url].context["articles"] for url in ("/", "/page/2/", "/page/1/")] == [
        refs("s7", "s6", "s5"), refs("s6", "s5", "s4"), refs("s3", "s2", "s1")]
    assert pages["/"].context["count"] == 7
    assert "count" not in pages["/page/2/"].context


@pytest.mark.parametrize(("count", "numbered"), [(0, 0), (1, 0), (3, 0), (4, 1), (6, 1), (7, 2)])
def test_a_list_has_only_the_numbered_pages_it_needs(count: int, numbered: int) -> None:
    """No page 1 that would repeat a front page holding every story; never a page
    whose stories are all on the front page."""
    pages = plan([story(f"s{n}", day(n)) for n in range(1, count + 1)], per_page=3)
    assert {url for url in pages if url.startswith("/page/")} == {
        f"/page/{n}/" for n in range(1, numbered + 1)}
    assert all(len(pages[f"/page/{n}/"].context["articles"]) == 3
               for n in range(1, numbered + 1))


def test_pages_link_newer_and_older_with_their_own_canonical_url(site: Path) -> None:
    assert build(site, "--jobs", "1").code == 0
    out = site / "output"
    assert listing(out, "/tags/oil/") == {
        "stories": ["Story 7", "Story 6", "Story 5"], "newer": None,
        "older": "/tags/oil/page/2/", "canonical": "https://stable.example.org/tags/oil/",
        "title": "Tag: Oil · Stable Gazette"}
    assert listing(out, "/tags/oil/page/2/") == {
        "stories": ["Story 6", "Story 5", "Story 4"], "newer": "/tags/oil/",
        "older": "/tags/oil/page/1/",
        "canonical": "https://stable.example.org/tags/oil/page/2/",
        "title": "Tag: Oil (page 2) · Stable Gazette"}
    assert listing(out, "/tags/oil/page/1/") == {
        "stories": ["Story 3", "Story 2", "Story 1"], "newer": "/tags/oil/page/2/",
        "older": None, "canonical": "https://stable.example.org/tags/oil/page/1/",
        "title": "Tag: Oil (page 1) · Stable Gazette"}
    assert not (out / "tags/oil/page/3").exists()
    assert listing(out, "/tags/gas/")["older"] is None
    assert not (out / "tags/gas/page").exists()
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://stable.example.org/tags/oil/page/1/</loc>" in sitemap
    assert "<loc>https://stable.example.org/tags/oil/page/3/</loc>" not in sitemap


def test_old_numbered_pages_keep_their_stories_as_new_ones_arrive(site: Path) -> None:
    assert build(site, "--jobs", "1").code == 0
    out = site / "output"
    before = {url: listing(out, url)["stories"] for url in ("/page/1/", "/page/2/")}
    add(site, 8, 9, 10)
    assert build(site, "--jobs", "1").code == 0
    assert {url: listing(out, url)["stories"] for url in ("/page/1/", "/page/2/")} == before
    assert before == {"/page/1/": ["Story 3", "Story 2", "Story 1"],
                      "/page/2/": ["Story 6", "Story 5", "Story 4"]}
    assert listing(out, "/page/3/")["stories"] == ["Story 9", "Story 8", "Story 7"]
    assert listing(out, "/")["stories"] == ["Story 10", "Story 9", "Story 8"]


def test_a_new_story_changes_only_the_front_and_newest_numbered_page_of_its_lists(
    site: Path,
) -> None:
    assert build(site, "--jobs", "1").code == 0
    out = site / "output"
    first = tree(out)
    add(site, 8)  # 8 stories: the numbered pages hold the same ones
    summary = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1").out
    rendered, written = re.search(r"(\d+) rendered, (\d+) files written", summary).groups()
    assert rendered == written, f"pages rendered again to the same bytes: {summary}"
    second = tree(out)
    fronts = {f"{folder}index.html" for folder in LISTS}
    assert _changed_lists(first, second) == fronts | INDEXES | {"2020/05/08/index.html"}
    add(site, 9, 10)  # 10 stories: a third page starts, the second links to it
    assert build(site, "--jobs", "1").code == 0
    newest = {f"{folder}page/{n}/index.html" for folder in LISTS for n in (2, 3)}
    assert _changed_lists(second, tree(out)) == fronts | newest | INDEXES | {
        "2020/05/09/index.html", "2020/05/10/index.html"}


def _changed_lists(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """HTML files added or changed, but the stories' own pages (which list related
    stories and neighbours)."""
    return {name for name in before.keys() | after.keys()
            if name.endswith(".html") and not name.startswith("stories/")
            and before.get(name) != after.get(name)}


def test_rebuilds_equal_a_clean_build_after_adding_deleting_and_back_dating(
    site: Path,
) -> None:
    def same_as_clean() -> None:
        assert build(site, "--jobs", "1").code == 0
        rebuilt = tree(site / "output")
        assert build(site, "--jobs", "1", "--clean").code == 0
        assert rebuilt == tree(site / "output")

    assert build(site, "--jobs", "1").code == 0
    add(site, 8, 9, 10)
    same_as_clean()
    (site / "content" / "s5.md").unlink()
    same_as_clean()
    (site / "content" / "s9.md").write_text(
        story_file(9, date="2019-12-31T09:00:00Z"), encoding="utf-8")
    same_as_clean()


def test_pagination_takes_only_the_two_orders(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {}, CONFIG + 'pagination = "oldest"\n')
    result = run_folio("build", "--site", site, "--quiet")
    assert result.code != 0
    assert "folio.toml:6: pagination: expected 'stable' or 'newest-first', got 'oldest'" in (
        result.err)
    assert not (site / "output").exists()
