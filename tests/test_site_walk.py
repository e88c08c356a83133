"""Walk a whole built archive as a reader would: every link, list, archive and chain.

Expectations come from the metadata the fixture wrote, worked out here from the
front matter alone (only `slugify` is borrowed from Folio).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from generator.site.slugs import slugify

from conftest import REPO, article, build, make_site, tree
from fixture_site import gif, write_fixture_site
from sitewalk import Site

ZONE = ZoneInfo("America/New_York")
BASE = "https://gazette.example.org"
RELATED_COUNT = 5
Meta = dict[str, Any]


@cache
def _parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


class Walker(Site):
    """A Site that parses each page once."""

    def soup(self, url: str) -> BeautifulSoup:
        return _parse(self.file(url))


def built_into(site: Path, output: Path) -> Walker:
    result = build(site, "--output", output)
    assert result.code == 0, result.err
    return Walker(output)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Walker, list[Meta]]:
    root = tmp_path_factory.mktemp("fixture")
    metas = write_fixture_site(root)
    return built_into(root, root / "output"), metas


@pytest.fixture(scope="module")
def site(built: tuple[Walker, list[Meta]]) -> Walker:
    return built[0]


@pytest.fixture(scope="module")
def metas(built: tuple[Walker, list[Meta]]) -> list[Meta]:
    return built[1]


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Walker:
    before = tree(REPO / "output")
    walker = built_into(REPO, tmp_path_factory.mktemp("example") / "output")
    assert tree(REPO / "output") == before, "the repository's own output/ was touched"
    return walker


# What the front matter says, worked out independently of Folio.

def moment(meta: Meta) -> datetime:
    """Publication time; a naive date is in the site's zone."""
    when = datetime.fromisoformat(meta["date"])
    return when if when.tzinfo else when.replace(tzinfo=ZONE)


def url_of(meta: Meta) -> str:
    """/{year}/{month}/{day}/{slug}/, the day being the one written in the front matter."""
    written = datetime.fromisoformat(meta["date"])
    return f"/{written:%Y/%m/%d}/{meta['slug']}/"


def newest_first(metas: Iterable[Meta]) -> list[str]:
    return [url_of(m) for m in sorted(metas, key=lambda m: -moment(m).timestamp())]


def names(value: str | list[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def tag_slugs(meta: Meta) -> set[str]:
    return {slugify(t) for t in names(meta.get("tags"))}


def author_slugs(meta: Meta) -> set[str]:
    return {slugify(a) for a in names(meta["byline"])}


def section_slugs(meta: Meta) -> set[str]:
    return {slugify(meta.get("section") or "News")}


def period_urls(meta: Meta) -> set[str]:
    year, month, day = url_of(meta).strip("/").split("/")[:3]
    return {f"/{year}/", f"/{year}/{month}/", f"/{year}/{month}/{day}/"}


def grouped(metas: list[Meta], keys: Callable[[Meta], set[str]]) -> dict[str, list[str]]:
    """Key to the URLs of the articles carrying it, newest first."""
    groups: dict[str, list[Meta]] = defaultdict(list)
    for meta in metas:
        for key in keys(meta):
            groups[key].append(meta)
    return {key: newest_first(members) for key, members in groups.items()}


def by_slug(metas: list[Meta]) -> dict[str, Meta]:
    return {m["slug"]: m for m in metas}


def mismatches(site: Site, expected: dict[str, list[str]]) -> list[str]:
    """Every paginated list whose articles differ from the expected ones."""
    problems = []
    for first_url, urls in sorted(expected.items()):
        try:
            found = site.list_articles(first_url)
        except FileNotFoundError as gone:
            problems.append(f"{first_url}: a page of the list is missing: {gone.filename}")
            continue
        if found != urls:
            missing, extra = set(urls) - set(found), set(found) - set(urls)
            problems.append(f"{first_url}: {len(found)} listed, {len(urls)} expected; "
                            f"missing {sorted(missing)}, extra {sorted(extra)}, "
                            f"duplicates {len(found) - len(set(found))}")
    return problems


def link_targets(site: Site, url: str, selector: str) -> list[str]:
    return [a["href"] for a in site.soup(url).select(selector)]


# Links.

@pytest.mark.parametrize("which", ["site", "example_site"])
def test_every_internal_link_resolves_to_a_written_file(
    which: str, request: pytest.FixtureRequest
) -> None:
    walker: Site = request.getfixturevalue(which)
    pages = list(walker.pages())
    assert len(pages) > 1
    broken = [
        f"{page} -> {target}"
        for page in pages for target in walker.internal_links(page)
        if not walker.exists(target)
    ]
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken)



def test_every_page_can_be_reached_by_following_links_from_home(site: Site) -> None:
    reached, queue = {"/"}, ["/"]
    while queue:
        for target in site.internal_links(queue.pop()):
            path = urlsplit(target).path
            if path.endswith("/") and path not in reached:
                reached.add(path)
                queue.append(path)
    # Alias redirects stand in for old URLs: nothing new links to them.
    orphans = [url for url in site.pages() if url.endswith("/") and url not in reached
               and not site.soup(url).select_one("meta[http-equiv=refresh]")]
    assert not orphans, f"{len(orphans)} pages no link leads to: {orphans[:10]}"


# Taxonomies.

TAXONOMIES = {"tags": tag_slugs, "authors": author_slugs, "sections": section_slugs}


@pytest.mark.parametrize("kind", TAXONOMIES)
def test_term_pages_list_exactly_their_articles_newest_first(
    kind: str, site: Site, metas: list[Meta]
) -> None:
    expected = {f"/{kind}/{slug}/": urls
                for slug, urls in grouped(metas, TAXONOMIES[kind]).items()}
    assert mismatches(site, expected) == []
    written = {p.parent.name for p in (site.root / kind).glob("*/index.html")}
    assert written == {url.split("/")[2] for url in expected}


@pytest.mark.parametrize("kind", TAXONOMIES)
def test_term_index_shows_one_line_and_the_right_count_per_term(
    kind: str, site: Site, metas: list[Meta]
) -> None:
    expected = {f"/{kind}/{slug}/": len(urls)
                for slug, urls in grouped(metas, TAXONOMIES[kind]).items()}
    lines = site.soup(f"/{kind}/").select(".term-list li")
    shown = [(li.a["href"], int(li.select_one(".term-count").get_text())) for li in lines]
    assert len(shown) == len(expected), "one line per term, variants folded"
    assert dict(shown) == expected


def test_tag_spellings_share_one_tag_page(site: Site, metas: list[Meta]) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    hrefs: dict[str, set[str]] = defaultdict(set)
    for meta in metas:
        for tag in names(meta.get("tags")):
            spellings[slugify(tag)].add(tag)
        for link in site.soup(url_of(meta)).select(".tags a[rel=tag]"):
            hrefs[slugify(link.get_text())].add(link["href"])
    folded = {slug for slug, variants in spellings.items() if len(variants) > 1}
    assert {"syria", "zurich", "bashar-al-assad", "sao-paulo"} <= folded
    assert {slug: sorted(h) for slug, h in hrefs.items() if slug in folded} == {
        slug: [f"/tags/{slug}/"] for slug in folded
    }


def test_a_story_tagged_with_two_spellings_is_listed_once(
    site: Site, metas: list[Meta]
) -> None:
    doubled = [m for m in metas if len(tag_slugs(m)) < len(names(m.get("tags")))]
    assert doubled, "the fixture tags one story both Syria and syria"
    for meta in doubled:
        for slug in tag_slugs(meta):
            assert site.list_articles(f"/tags/{slug}/").count(url_of(meta)) == 1
        tags = [a.get_text() for a in site.soup(url_of(meta)).select(".tags a[rel=tag]")]
        assert len(tags) == len(tag_slugs(meta))


# Home and date archives.

def test_home_pages_cover_every_article_once_newest_first(
    site: Site, metas: list[Meta]
) -> None:
    assert mismatches(site, {"/": newest_first(metas)}) == []
    assert site.exists("/page/2/")


@pytest.mark.parametrize("depth", [1, 2, 3], ids=["year", "month", "day"])
def test_date_archives_cover_their_articles_once_newest_first(
    depth: int, site: Site, metas: list[Meta]
) -> None:
    expected = {
        url: urls for url, urls in grouped(metas, period_urls).items()
        if url.count("/") == depth + 1
    }
    assert mismatches(site, expected) == []
    written = {f"/{p.parent.relative_to(site.root).as_posix()}/"
               for p in site.root.glob("/".join(["[0-9]*"] * depth) + "/index.html")}
    assert written == set(expected)


def test_some_days_have_several_stories(metas: list[Meta]) -> None:
    per_day = grouped(metas, lambda m: {url_of(m).rsplit("/", 2)[0]})
    assert max(len(urls) for urls in per_day.values()) >= 2
    assert min(moment(m).year for m in metas) == 2013
    assert max(moment(m).year for m in metas) == 2024


def test_archive_index_counts_years_and_months(site: Site, metas: list[Meta]) -> None:
    expected = {url: len(urls) for url, urls in grouped(metas, period_urls).items()
                if url.count("/") <= 3}
    page = site.soup("/archive/")
    shown = {
        link["href"]: int(link.find_next(class_="term-count").get_text())
        for link in page.select(".archive-year h2 a, .archive-year li a")
    }
    assert shown == expected


# Article pages.

def test_previous_and_next_form_one_chain_in_date_order(
    site: Site, metas: list[Meta]
) -> None:
    oldest_first = newest_first(metas)[::-1]
    assert _follow(site, oldest_first[0], "next") == oldest_first
    assert _follow(site, oldest_first[-1], "prev") == oldest_first[::-1]


def _follow(site: Site, start: str, rel: str) -> list[str]:
    chain, url = [], start
    while url and url not in chain:
        chain.append(url)
        if not site.exists(url):
            break
        link = site.soup(url).select_one(f".neighbours a[rel={rel}]")
        url = link["href"] if link else None
    return chain


def test_related_articles_are_the_best_matches_by_shared_tags(
    site: Site, metas: list[Meta]
) -> None:
    by_url = {url_of(m): m for m in metas}
    problems = []
    for meta in metas:
        listed = link_targets(site, url_of(meta), ".related-articles .card-title a")
        shared = {url: len(tag_slugs(meta) & tag_slugs(other))
                  for url, other in by_url.items() if other is not meta}
        if problem := _related_problem(listed, shared):
            problems.append(f"{url_of(meta)}: {problem}")
    assert problems == []


def _related_problem(listed: list[str], shared: dict[str, int]) -> str | None:
    """Why `listed` is not a best pick of up to RELATED_COUNT articles sharing tags."""
    candidates = sorted((n for n in shared.values() if n), reverse=True)
    counts = [shared.get(url, 0) for url in listed]
    if len(listed) != len(set(listed)) or 0 in counts:
        return f"lists a repeat or an article sharing no tag: {listed}"
    if len(listed) != min(RELATED_COUNT, len(candidates)):
        return f"lists {len(listed)}, expected {min(RELATED_COUNT, len(candidates))}"
    if sorted(counts, reverse=True) != candidates[: len(listed)]:
        return f"shares {counts} tags, the best share {candidates[: len(listed)]}"
    if counts != sorted(counts, reverse=True):
        return f"not ordered by tags shared: {counts}"
    return None


def test_internal_related_slugs_resolve_to_the_article(
    site: Site, metas: list[Meta]
) -> None:
    slugs = by_slug(metas)
    checked = 0
    for meta in metas:
        wanted = [slugs[_slug_of(link)] for link in meta.get("related", []) if _slug_of(link)]
        links = site.soup(url_of(meta)).select(".related-links li:not(.external) a")
        assert [(a["href"], a.get_text()) for a in links] == [
            (url_of(m), m["title"]) for m in wanted
        ], url_of(meta)
        checked += len(wanted)
    assert checked >= 20


def _slug_of(link: str | dict[str, str]) -> str | None:
    return link if isinstance(link, str) else link.get("slug")


def test_external_related_links_are_marked(site: Site, metas: list[Meta]) -> None:
    with_external = [m for m in metas if any("url" in link for link in _dicts(m))]
    assert with_external
    for meta in with_external:
        items = site.soup(url_of(meta)).select(".related-links li.external")
        shown = [(li.a["href"], li.a.get_text(), "external" in li.a["rel"]) for li in items]
        assert shown == [(link["url"], link["title"], True)
                         for link in _dicts(meta) if "url" in link]
        assert all("external link" in li.get_text() for li in items)


def _dicts(meta: Meta) -> list[dict[str, str]]:
    return [link for link in meta.get("related", []) if isinstance(link, dict)]


def test_the_alias_page_redirects_to_the_article(site: Site, metas: list[Meta]) -> None:
    aliased = [m for m in metas if m.get("aliases")]
    assert len(aliased) == 1
    meta, = aliased
    alias, = meta["aliases"]
    page = site.soup(alias)
    refresh = page.select_one('meta[http-equiv="refresh"]')
    assert refresh is not None
    delay, target = (part.strip() for part in refresh["content"].split(";", 1))
    assert (delay, target) == ("0", f"url={url_of(meta)}")
    assert page.select_one("link[rel=canonical]")["href"] == BASE + url_of(meta)
    assert site.exists(url_of(meta))


@pytest.mark.parametrize("name", ["photo #1.gif", "crowd%20shot.gif"])
def test_a_photo_with_an_awkward_file_name_is_shown_or_refused_by_name(
    name: str, tmp_path: Path
) -> None:
    """A legal file name gives a photo whose src finds the file, or an error naming it."""
    story = article(photo={"src": f"images/{name}", "alt": "Crowd"})
    site = make_site(tmp_path, {f"images/{name}": gif(90), "story.md": story})
    result = build(site)
    if result.code == 1:
        assert name in result.err
        return
    assert result.code == 0, result.err
    walker = Walker(site / "output")
    img = walker.soup("/2020/05/01/story/").select_one("figure.lead-photo img")
    assert img is not None
    written = sorted(tree(walker.root / "images"))
    assert walker.exists(img["src"]), f"src {img['src']} finds none of {written}"
    assert walker.file(img["src"]).read_bytes() == gif(90)


def test_photos_are_copied_and_shown(site: Site, metas: list[Meta]) -> None:
    local = [m for m in metas if "://" not in m.get("photo", {}).get("src", "://")]
    assert len(local) >= 20
    for meta in local:
        img = site.soup(url_of(meta)).select_one("figure.lead-photo img")
        assert img is not None, url_of(meta)
        src = img["src"]
        assert not urlsplit(src).scheme and site.exists(src), f"{url_of(meta)}: {src}"
        source = site.root.parent / "content" / meta["photo"]["src"]
        assert site.file(src).read_bytes() == source.read_bytes()


def test_updated_time_and_corrections_are_shown(site: Site, metas: list[Meta]) -> None:
    meta, = (m for m in metas if m.get("corrections"))
    page = site.soup(url_of(meta))
    updated = page.select_one(".updated time")
    assert updated is not None
    assert datetime.fromisoformat(updated["datetime"]) == datetime.fromisoformat(meta["updated"])
    notes = [li.get_text(" ", strip=True) for li in page.select(".corrections li")]
    assert len(notes) == 1
    assert notes[0].endswith(meta["corrections"][0]["text"])
