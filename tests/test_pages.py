"""The pages a site has: lists cut into pages, their links, terms, periods, redirects.

Stories are made by hand; every expected URL, order and count is written out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_index import config, day, story

from generator.site.archive import build_index
from generator.site.model import Page, Ref
from generator.site.pages import (
    Pagination,
    PeriodCount,
    TermCount,
    TermLink,
    plan_pages,
    url_clashes,
)

from conftest import article, build

SiteFactory = Callable[..., Path]


def plan(stories: list, **settings: object) -> dict[str, Page]:
    index, errors = build_index(stories, config(**settings))
    assert errors == []
    return {page.url: page for page in plan_pages(index, config(**settings))}


def refs(*names: str) -> tuple[Ref, ...]:
    return tuple(Ref(f"{name}.md") for name in names)


def five() -> list:
    return [story(f"s{n}", day(n), tags=("Oil",)) for n in range(1, 6)]


def test_a_list_is_cut_into_pages_of_per_page_stories_newest_first() -> None:
    pages = plan(five(), per_page=2, pagination="newest-first")
    assert [pages[url].context["articles"] for url in ("/", "/page/2/", "/page/3/")] == [
        refs("s5", "s4"), refs("s3", "s2"), refs("s1")]
    assert "/page/4/" not in pages and "/page/1/" not in pages
    assert [pages[url].context["pagination"] for url in ("/", "/page/2/", "/page/3/")] == [
        Pagination(1, None, "/page/2/", 3), Pagination(2, "/", "/page/3/", 3),
        Pagination(3, "/page/2/", None, 3)]
    assert {pages[url].context["count"] for url in ("/", "/page/2/", "/page/3/")} == {5}
    assert pages["/page/2/"].context["kind"] == "home"
    assert pages["/page/2/"].context["title"] == "Latest"


@pytest.mark.parametrize(("count", "per_page", "sizes"), [
    (4, 2, [2, 2]),
    (5, 5, [5]),
    (5, 4, [4, 1]),
    (3, 1, [1, 1, 1]),
    (0, 3, [0]),
])
def test_per_page_edges(count: int, per_page: int, sizes: list[int]) -> None:
    pages = plan(five()[:count], per_page=per_page, pagination="newest-first")
    urls = ["/", *(f"/page/{n}/" for n in range(2, len(sizes) + 1))]
    assert [len(pages[url].context["articles"]) for url in urls] == sizes
    assert f"/page/{len(sizes) + 1}/" not in pages
    assert pages["/"].context["pagination"].total == len(sizes)


def test_term_pages_and_term_indexes() -> None:
    pages = plan([
        story("s1", day(1), tags=("zebra", "Oil"), bylines=("Li Wei",)),
        story("s2", day(2), tags=("oil",), section="World"),
        story("s3", day(3), tags=("OIL", "apple")),
    ], per_page=2, pagination="newest-first")
    assert pages["/tags/"].context == {"title": "Tags", "terms": (
        TermCount("apple", "/tags/apple/", 1), TermCount("OIL", "/tags/oil/", 3),
        TermCount("zebra", "/tags/zebra/", 1))}
    assert pages["/authors/"].context["terms"] == (
        TermCount("Jane", "/authors/jane/", 2), TermCount("Li Wei", "/authors/li-wei/", 1))
    assert pages["/sections/"].context["terms"] == (
        TermCount("News", "/sections/news/", 2), TermCount("World", "/sections/world/", 1))
    oil, oil_2 = pages["/tags/oil/"].context, pages["/tags/oil/page/2/"].context
    assert (oil["kind"], oil["title"], oil["articles"], oil["term"]) == (
        "tag", "OIL", refs("s3", "s2"), TermLink("OIL", "/tags/oil/"))
    assert (oil_2["articles"], oil_2["pagination"]) == (refs("s1"),
                                                  Pagination(2, "/tags/oil/", None, 2))
    assert pages["/authors/li-wei/"].context["kind"] == "author"
    assert pages["/sections/world/"].context["kind"] == "section"
    assert pages["/sections/world/"].context["articles"] == refs("s2")


def test_the_archive_lists_years_with_their_months_newest_first() -> None:
    pages = plan([
        story("a", day(1).replace(year=2019, month=12)),
        story("b", day(2).replace(month=2)),
        story("c", day(3).replace(month=11)),
        story("d", day(4).replace(month=11)),
    ])
    assert pages["/archive/"].context == {"title": "Archive", "years": (
        PeriodCount(date(2020, 1, 1), "/2020/", 3, (
            PeriodCount(date(2020, 11, 1), "/2020/11/", 2),
            PeriodCount(date(2020, 2, 1), "/2020/02/", 1))),
        PeriodCount(date(2019, 1, 1), "/2019/", 1, (
            PeriodCount(date(2019, 12, 1), "/2019/12/", 1),)),
    )}


def test_year_month_and_day_pages_list_their_stories_and_the_periods_within() -> None:
    pages = plan([
        story("a", day(1).replace(month=2)),
        story("b", day(3).replace(month=11, hour=8)),
        story("c", day(3).replace(month=11, hour=7)),
    ], per_page=1, pagination="newest-first")
    year, month, today = (pages[url].context for url in ("/2020/", "/2020/11/", "/2020/11/03/"))
    assert (year["kind"], year["period"], year["periods"], year["articles"]) == (
        "year", date(2020, 1, 1),
        (PeriodCount(date(2020, 11, 1), "/2020/11/", 2),
         PeriodCount(date(2020, 2, 1), "/2020/02/", 1)), refs("b"))
    assert (month["kind"], month["period"], month["periods"]) == (
        "month", date(2020, 11, 1), (PeriodCount(date(2020, 11, 3), "/2020/11/03/", 2),))
    assert (today["kind"], today["period"], today["periods"], today["articles"]) == (
        "day", date(2020, 11, 3), (), refs("b"))
    assert pages["/2020/11/03/page/2/"].context["articles"] == refs("c")
    assert pages["/2020/page/3/"].context["articles"] == refs("a")


def test_articles_know_their_neighbours_and_related_stories() -> None:
    pages = plan([story("s1", day(1), tags=("Oil",)), story("s2", day(2)),
                  story("s3", day(3), tags=("Oil",))])
    first, middle, last = (pages[url] for url in ("/s1/", "/s2/", "/s3/"))
    assert (first.template, first.origin) == ("article.html", "s1.md")
    assert (first.context["article"], first.context["older"], first.context["newer"]) == (
        Ref("s1.md"), None, Ref("s2.md"))
    assert (middle.context["older"], middle.context["newer"]) == (Ref("s1.md"), Ref("s3.md"))
    assert (last.context["older"], last.context["newer"]) == (Ref("s2.md"), None)
    assert (first.context["related_articles"], middle.context["related_articles"]) == (
        refs("s3"), ())
    assert first.context["related_links"] == ()


def test_every_alias_is_a_redirect_to_its_article_in_id_order() -> None:
    planned = plan_pages(*_index([
        story("b", day(1), aliases=("/old-b/", "/older-b/")),
        story("a", day(2), aliases=("/old-a/",), title="Headline A"),
    ]))
    redirects = [(p.url, p.origin, p.context) for p in planned if p.template == "redirect.html"]
    assert redirects == [
        ("/old-a/", "a.md", {"target": "/a/", "title": "Headline A"}),
        ("/old-b/", "b.md", {"target": "/b/", "title": "B"}),
        ("/older-b/", "b.md", {"target": "/b/", "title": "B"}),
    ]


def test_pages_come_in_a_stable_order_ending_with_the_generated_files() -> None:
    planned = [page.url for page in plan_pages(*_index([story("s1", day(1), tags=("Oil",))]))]
    assert planned[:12] == [
        "/s1/", "/", "/tags/", "/authors/", "/sections/", "/tags/oil/", "/authors/jane/",
        "/sections/news/", "/archive/", "/2020/05/01/", "/2020/05/", "/2020/"]
    assert planned[12:15] == ["/search/", "/404.html", "/feed.xml"]
    assert "/search/" not in [p.url for p in plan_pages(*_index([story("s1", day(1))],
                                                                search=False))]


def _index(stories: list, **settings: object) -> tuple:
    index, errors = build_index(stories, config(**settings))
    assert errors == []
    return index, config(**settings)


def _clashes(stories: list) -> list[str]:
    index, settings = _index(stories)
    pages = plan_pages(index, settings)
    names = [_file(page.url) for page in pages]
    return [f"{e.path}|{e.field}|{e.message}" for e in url_clashes(pages, names, index)]


def _file(url: str) -> str:
    """The output file of a URL, written out for the few shapes these tests use."""
    path = url.strip("/")
    if url.endswith((".xml", ".txt", ".html")):
        return path
    return f"{path}/index.html" if path else "index.html"


def test_an_article_on_a_generated_page_is_blamed_on_its_slug() -> None:
    (clash,) = _clashes([story("s1", day(1), slug="tags", url="/tags/")])
    assert clash.startswith("content/s1.md|slug|URL /tags/ is already a page Folio generates "
                            "(terms.html)")


def test_an_alias_on_a_generated_page_is_blamed_on_the_alias() -> None:
    (clash,) = _clashes([story("s1", day(1), aliases=("/archive/",))])
    assert clash.startswith("content/s1.md|aliases|URL /archive/ is already a page Folio "
                            "generates (archive.html)")


def test_an_article_inside_another_page_file_is_refused() -> None:
    (clash,) = _clashes([story("s1", day(1), url="/feed.xml/s1/")])
    assert clash.startswith("content/s1.md|slug|")
    assert "inside the file /feed.xml" in clash


def test_two_articles_on_one_url_blame_the_one_listed_later() -> None:
    assert _clashes([story("a", day(1), slug="one", url="/x/"),
                     story("b", day(2), slug="two", url="/x/"),
                     story("c", day(3), aliases=("/tags/",))]) == [
        "content/a.md|slug|URL /x/ is already the URL of content/b.md; "
        "change the slug or the permalink pattern",
        "content/c.md|aliases|URL /tags/ is already a page Folio generates (terms.html); "
        "remove or change the alias"]


def test_urls_that_differ_only_in_case_are_one_file() -> None:
    assert _clashes([story("a", day(1), slug="one", url="/X/"),
                     story("b", day(2), slug="two", url="/x/")]) == [
        "content/a.md|slug|URL /X/ is already the URL of content/b.md (/x/), as hosts that "
        "ignore case and accents see it; change the slug or the permalink pattern"]
    assert _clashes([story("a", day(1), slug="Tags", url="/Tags/")]) == [
        "content/a.md|slug|URL /Tags/ is already a page Folio generates (terms.html) (/tags/), "
        "as hosts that ignore case and accents see it; change the slug or the permalink pattern"]


def test_clashes_the_index_reports_are_not_reported_again() -> None:
    stories = [story("a", day(1), slug="same", url="/1/same/"),
               story("b", day(2), slug="SAME", url="/1/SAME/"),
               story("c", day(3), aliases=("/a-old/",)), story("d", day(4), aliases=("/a-old/",)),
               story("e", day(5), aliases=("/c/",))]
    index, errors = build_index(stories, config())
    assert len(errors) == 3
    pages = plan_pages(index, config())
    assert url_clashes(pages, [_file(page.url) for page in pages], index) == []


def test_an_alias_in_the_search_index_folder_is_refused() -> None:
    assert _clashes([story("a", day(1), aliases=("/pagefind/old/",))]) == [
        "content/a.md|aliases|URL /pagefind/old/ is already in /pagefind/, where the search "
        "index goes; remove or change the alias"]
    assert _clashes([story("a", day(1), aliases=("/search/old/", "/old/pagefind/"))]) == []


@pytest.mark.parametrize(("alias", "file"), [
    ("/404.html/old/", "/404.html"),
    ("/404.html/old.html", "/404.html"),
    ("/tags/oil/feed.xml/old/", "/tags/oil/feed.xml"),
])
def test_an_alias_inside_a_generated_file_is_refused(alias: str, file: str) -> None:
    assert _clashes([story("a", day(1), tags=("Oil",), aliases=(alias,))]) == [
        f"content/a.md|aliases|URL {alias} is already inside the file {file}; "
        "remove or change the alias"]


def test_two_generated_pages_on_one_file_name_the_template() -> None:
    index, _ = _index([])
    pages = [Page("/a/", "x.html", {}), Page("/b/", "z.html", {}), Page("/A/", "y.html", {})]
    assert [str(e) for e in url_clashes(pages, ["a/index.html", "b/index.html",
                                               "A/index.html"], index)] == [
        "x.html: URL /a/ is already a page Folio generates (y.html) (/A/), as hosts that "
        "ignore case and accents see it"]


def test_generated_pages_have_their_titles() -> None:
    pages = plan(five())
    assert [pages[url].context["title"] for url in
            ("/tags/", "/authors/", "/sections/", "/404.html", "/search/", "/archive/")] == [
        "Tags", "Authors", "Sections", "Page not found", "Search", "Archive"]
    assert pages["/2020/05/"].context["title"] == ""
    assert pages["/404.html"].template == "404.html"
    assert pages["/search/"].template == "search.html"


def test_a_plain_site_has_no_clashes() -> None:
    assert _clashes(five()) == []


def test_a_built_list_links_its_pages_with_previous_and_next(site_factory: SiteFactory) -> None:
    """What a reader follows: page 2 at /page/2/, Newer and Older on the right pages."""
    site = site_factory({f"s{n}.md": article(title=f"Story {n}", date=f"2020-05-0{n}T09:00:00Z")
                         for n in range(1, 7)}, config_text(per_page=2))
    assert build(site, "--jobs", "1").code == 0
    out = site / "output"
    assert not (out / "page" / "1").exists()
    assert not (out / "page" / "4").exists()
    links = {url: _pager(out / file) for url, file in [
        ("/", "index.html"), ("/page/2/", "page/2/index.html"), ("/page/3/", "page/3/index.html")]}
    assert links == {
        "/": (None, "/page/2/", ["Story 6", "Story 5"]),
        "/page/2/": ("/", "/page/3/", ["Story 4", "Story 3"]),
        "/page/3/": ("/page/2/", None, ["Story 2", "Story 1"]),
    }


def config_text(per_page: int) -> str:
    return (f'title = "Pager Gazette"\nbase_url = "https://pager.example.org/"\n'
            f'per_page = {per_page}\npagination = "newest-first"\n')


def _pager(path: Path) -> tuple[str | None, str | None, list[str]]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    previous = soup.select_one(".pagination a[rel=prev]")
    following = soup.select_one(".pagination a[rel=next]")
    titles = [a.get_text(strip=True) for a in soup.select(".cards .card-title a")]
    return (previous["href"] if previous else None, following["href"] if following else None,
            titles)
