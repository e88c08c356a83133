"""Every page the site has, as `Page(url, template, context)`.

Contexts hold plain values and `Ref`s to articles, never rendered HTML, so a
page is cheap to send to another process and `render` stays a pure function
of (page, index).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from types import MappingProxyType
from typing import TypeVar, cast

from . import urls
from .archive import Edition, Period, SiteIndex, Term
from .config import Config
from .errors import ContentError
from .feeds import FEED_FILE, feed_pages
from .model import Page, Ref, pickled_by_fields
from .people import Profile, of_bylines
from .search import SEARCH_FOLDER, SEARCH_URL, has_search
from .sitemaps import crawler_pages


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Pagination:
    """Where a page sits in a paginated list, and its neighbours.

    Under stable pagination it holds nothing a new story changes (no count of pages),
    but the newer link of the newest numbered page when a page is added after it.
    """

    number: int
    """Number of the page in its URL (/page/3/): counted from the newest under
    newest-first pagination, where the front page is 1; from the oldest under stable
    pagination, where the front page, which has no number, is 0."""
    newer_url: str | None
    """Site path of the page of newer stories; None on the front page."""
    older_url: str | None
    """Site path of the page of older stories; None on the oldest page."""
    total: int | None = None
    """How many pages the list has, under newest-first pagination; None under stable
    pagination, where it grows with the list."""

    @property
    def front(self) -> bool:
        """Whether this is the list's front page, which shows its newest stories."""
        return self.newer_url is None

    @property
    def moves(self) -> bool:
        """Whether the page changes as stories arrive, and so may print what they change,
        such as the list's count: all but a stable list's numbered pages."""
        return self.front or self.total is not None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class TermLink:
    """A tag, author or section as pages other than its index show it: no count, which
    each new story of the term changes, and with it every page that holds one."""

    name: str
    url: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class TermCount:
    """A line of the tags, authors or sections index."""

    name: str
    url: str
    count: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PeriodCount:
    """A line of the archive index: a year or month and how many articles it has."""

    day: date
    url: str
    count: int
    months: tuple[PeriodCount, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CorrectionEntry:
    """A line of the corrections page and an entry of its feed: all it prints, so
    its page's key covers it."""

    title: str
    """Headline of the story corrected."""
    url: str
    """Site path of the story."""
    date: date
    """Day of the correction."""
    text: str
    """What was wrong and what is right."""
    number: int
    """Which correction of the story it is, from 1 (the oldest)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Translation:
    """Another language's version of a page: a translation of a story, or the home page
    of another language's archive."""

    language: str
    """Its BCP 47 tag, as `hreflang` and `lang` take it."""
    url: str
    """Site path of the page."""
    title: str
    """Its headline, in its language."""


CORRECTIONS_URL = "/corrections/"
PAGE_TEMPLATE = "page.html"
"""Template of a standalone page (content/pages/)."""
PINNED_MOST = 4
"""Featured stories a front pins above its river: the lead and the secondary row."""
T = TypeVar("T")
NOBODY: Mapping[str, Profile] = MappingProxyType({})
"""A site without author profiles."""


def plan_pages(index: SiteIndex, config: Config,
               people: Mapping[str, Profile] = NOBODY) -> list[Page]:
    """All pages in a stable order; `people`: the profiles shown, by author slug."""
    editions = index.editions.values()
    pages = [
        *_article_pages(index, config, people),
        *_standalone_pages(index, config),
        *(page for edition in editions for page in _edition_lists(edition, index, config, people)),
        *_alias_pages(index),
        *(page for edition in editions for page in _search_page(edition, index, config)),
        Page("/404.html", "404.html", {"title": "Page not found"}),
        *(page for edition in editions for page in feed_pages(edition, index, config)),
    ]
    pages += crawler_pages(pages, index, config)
    return pages


def _edition_lists(edition: Edition, index: SiteIndex, config: Config,
                   people: Mapping[str, Profile]) -> Iterator[Page]:
    """The lists of one language's archive: its front, indexes, terms, dates, corrections."""
    prefix, refs = edition.prefix, index.refs
    pages = [
        *_front(_list_pages(prefix + "/", "home", "Latest", edition.newest_first, config, refs),
                edition.newest_first, index),
        *_term_index(prefix + "/tags/", "Tags", edition.tags),
        *_term_index(prefix + "/authors/", "Authors", edition.authors),
        *_term_index(prefix + "/sections/", "Sections", edition.sections),
        *_term_pages("tag", edition.tags, config, refs, {}),
        *_term_pages("author", edition.authors, config, refs, people),
        *_section_fronts(edition, index, config),
        _archive_index(edition),
        *_period_pages(edition.periods, config, refs),
        *_corrections_pages(edition, index, config),
    ]
    return (page.in_language(edition.language) for page in pages)


def _article_pages(index: SiteIndex, config: Config,
                   people: Mapping[str, Profile]) -> Iterator[Page]:
    refs = index.refs
    for article_id in index.newest_first:
        article = index.articles[article_id]
        older, newer = index.older.get(article_id), index.newer.get(article_id)
        context = {
            "article": refs[article_id],
            "related_articles": tuple(refs[i] for i in index.related_articles[article_id]),
            "related_links": index.related_links[article_id],
            "older": refs[older] if older else None,
            "newer": refs[newer] if newer else None,
            "people": of_bylines(article.bylines, people),
        }
        yield _translated(Page(article.url, "article.html", context, origin=article_id),
                          article_id, index, config)


def _standalone_pages(index: SiteIndex, config: Config) -> Iterator[Page]:
    for page_id in index.pages:
        updated = index.articles[page_id].updated
        context: dict[str, object] = {"standalone": index.refs[page_id]}
        if updated:
            context["updated"] = updated.date()
        yield _translated(Page(index.articles[page_id].url, PAGE_TEMPLATE, context,
                               origin=page_id), page_id, index, config)


def _translated(page: Page, article_id: str, index: SiteIndex, config: Config) -> Page:
    """The page of an article, in its language, with its translations when it has some."""
    versions = [index.articles[i] for i in index.translations.get(article_id, ())
                if i != article_id]
    if versions:
        translations = tuple(Translation(other.language or config.language, other.url,
                                         other.title) for other in versions)
        page = replace(page, context={**page.context, "translations": translations})
    return page.in_language(index.articles[article_id].language)


def _list_pages(
    first_url: str,
    kind: str,
    title: str,
    ids: Sequence[str],
    config: Config,
    refs: Mapping[str, Ref],
    extra: Mapping[str, object] | None = None,
    moving: Mapping[str, object] | None = None,
) -> Iterator[Page]:
    """A list's pages; `moving`: context only pages that move with the list show."""
    for url, chunk, pagination in _paginate(first_url, ids, config):
        context = {"kind": kind, "title": title, "articles": tuple(refs[i] for i in chunk),
                   "pagination": pagination, **(extra or {})}
        if pagination.moves:
            context.update(count=len(ids), **(moving or {}))
        yield Page(url, "list.html", context)


def _paginate(
    first_url: str, items: Sequence[T], config: Config
) -> Iterator[tuple[str, Sequence[T], Pagination]]:
    """The pages of a list of `items` (newest first): URL, items shown, place in the list."""
    if config.pagination == "stable":
        return _stable_pages(first_url, items, config.per_page)
    return _newest_first_pages(first_url, items, config.per_page)


def _newest_first_pages(
    first_url: str, items: Sequence[T], size: int
) -> Iterator[tuple[str, Sequence[T], Pagination]]:
    """Pages of `size` items from the newest: page 1, the front page, holds the newest."""
    total = max(1, -(-len(items) // size))
    for number in range(1, total + 1):
        newer = urls.page_url(first_url, number - 1) if number > 1 else None
        older = urls.page_url(first_url, number + 1) if number < total else None
        chunk = items[(number - 1) * size : number * size]
        yield urls.page_url(first_url, number), chunk, Pagination(number, newer, older, total)


def _stable_pages(
    first_url: str, items: Sequence[T], size: int
) -> Iterator[tuple[str, Sequence[T], Pagination]]:
    """The front page, showing the newest `size` items, then numbered pages of `size`
    items counted from the oldest (page 1 holds the oldest), each full and holding an
    item the front page does not. A new item changes the front page alone, or, when
    the item it pushes off the front page is on no numbered page, adds the page that
    holds it (and the newer link of the page before)."""
    newest = max(0, (len(items) - 1) // size)
    yield first_url, items[:size], Pagination(
        0, None, urls.numbered_url(first_url, newest) if newest else None)
    for number in range(newest, 0, -1):
        newer = urls.numbered_url(first_url, number + 1) if number < newest else first_url
        older = urls.numbered_url(first_url, number - 1) if number > 1 else None
        end = len(items) - (number - 1) * size
        yield (urls.numbered_url(first_url, number), items[end - size : end],
               Pagination(number, newer, older))


def _term_index(url: str, title: str, terms: Mapping[str, Term]) -> Iterator[Page]:
    counts = tuple(TermCount(t.name, t.url, len(t.article_ids)) for t in terms.values())
    yield Page(url, "terms.html", {"title": title, "terms": counts})


def _term_pages(
    kind: str, terms: Mapping[str, Term], config: Config, refs: Mapping[str, Ref],
    profiles: Mapping[str, Profile],
) -> Iterator[Page]:
    for term in terms.values():
        profile = {"profile": profiles[term.slug]} if term.slug in profiles else {}
        yield from _list_pages(
            term.url,
            kind,
            term.name,
            term.article_ids,
            config,
            refs,
            {"term": TermLink(term.name, term.url), **profile},
        )


def _section_fronts(edition: Edition, index: SiteIndex, config: Config) -> Iterator[Page]:
    for slug, section in edition.sections.items():
        yield from _front(_term_pages("section", {slug: section}, config, index.refs, {}),
                          section.article_ids, index)


def _front(pages: Iterator[Page], ids: Sequence[str], index: SiteIndex) -> Iterator[Page]:
    """A list whose first page is a front: its featured stories, newest first, pinned
    on top as `pinned` (the template shows them first and the river after)."""
    featured = islice((index.refs[i] for i in ids if index.articles[i].featured), PINNED_MOST)
    pinned = {"pinned": tuple(featured)}
    for page in pages:
        front = cast(Pagination, page.context["pagination"]).front
        yield replace(page, context={**page.context, **pinned}) if front else page


def _archive_index(edition: Edition) -> Page:
    children = _sub_periods(edition.periods)
    years = tuple(
        replace(_count(year), months=children[year.parts])
        for year in edition.periods.values()
        if len(year.parts) == 1
    )
    return Page(edition.prefix + "/archive/", "archive.html",
                {"title": "Archive", "years": years})


def _period_pages(
    periods: Mapping[tuple[int, ...], Period], config: Config, refs: Mapping[str, Ref]
) -> Iterator[Page]:
    kinds = {1: "year", 2: "month", 3: "day"}
    children = _sub_periods(periods)
    for period in periods.values():
        yield from _list_pages(
            period.url, kinds[len(period.parts)], "", period.article_ids, config, refs,
            {"period": _count(period).day, "periods": ()},
            {"periods": children[period.parts]},
        )


def _sub_periods(
    periods: Mapping[tuple[int, ...], Period],
) -> defaultdict[tuple[int, ...], tuple[PeriodCount, ...]]:
    """The months of each year and the days of each month, newest first."""
    children: defaultdict[tuple[int, ...], tuple[PeriodCount, ...]] = defaultdict(tuple)
    for period in periods.values():
        if len(period.parts) > 1:
            children[period.parts[:-1]] += (_count(period),)
    return children


def _count(period: Period) -> PeriodCount:
    return PeriodCount(date(*(*period.parts, 1, 1)[:3]), period.url, len(period.article_ids))


def _alias_pages(index: SiteIndex) -> Iterator[Page]:
    for article_id in sorted(index.articles):
        article = index.articles[article_id]
        for alias in article.aliases:
            context = {"target": article.url, "title": article.title}
            yield Page(alias, "redirect.html", context, origin=article_id)


def _corrections_pages(edition: Edition, index: SiteIndex, config: Config) -> Iterator[Page]:
    """The corrections page, paginated, and its feed; none when nothing was corrected."""
    entries = tuple(_correction_entry(index, c.article_id, c.number)
                    for c in edition.corrections)
    if not entries:
        return
    first_url = edition.prefix + CORRECTIONS_URL
    for url, chunk, pagination in _paginate(first_url, entries, config):
        context = {"title": "Corrections", "corrections": tuple(chunk),
                   "pagination": pagination, "updated": chunk[0].date}
        if pagination.moves:
            context["count"] = len(entries)
        yield Page(url, "corrections.html", context)
    feed = {"title": f"{config.title}: Corrections", "html_url": first_url,
            "corrections": entries[: config.feed_size]}
    yield Page(first_url + FEED_FILE, "corrections-feed.xml", feed)


def _correction_entry(index: SiteIndex, article_id: str, number: int) -> CorrectionEntry:
    article = index.articles[article_id]
    correction = article.corrections[number]
    return CorrectionEntry(article.title, article.url, correction.date, correction.text,
                           number + 1)


def _search_page(edition: Edition, index: SiteIndex, config: Config) -> Iterator[Page]:
    """The search page of a language: Pagefind searches the pages in the page's language."""
    if has_search(config, index):
        yield Page(edition.prefix + SEARCH_URL, "search.html",
                   {"title": "Search"}).in_language(edition.language)


def url_clashes(pages: list[Page], names: list[str], index: SiteIndex) -> list[ContentError]:
    """Pages that would be one file (`names`: the file of each page), compared as hosts
    that ignore case and Unicode normalization compare them, or a file under another.

    Articles or aliases on one another's URL are reported by the index already
    (duplicate slugs and aliases), but for two articles whose slugs differ.
    """
    seen: dict[str, Page] = {}
    errors = []
    for page, name in zip(pages, names, strict=True):
        other = seen.setdefault(urls.fold(name), page)
        if other is page or _reported_by_index(page, other, index):
            continue
        if page.origin and other.origin:
            taken_by = f"the URL of {index.articles[other.origin].source}"
            errors.append(blame(page, index, taken_by + _alike(page, other)))
            continue
        culprit, generated = (page, other) if page.origin else (other, page)
        taken_by = f"a page Folio generates ({generated.template})"
        errors.append(blame(culprit, index, taken_by + _alike(culprit, generated)))
    for name, page in seen.items():
        folders = [name.rsplit("/", depth)[0] for depth in range(1, name.count("/") + 1)]
        below = next((seen[f] for f in folders if f in seen), None)
        if below is not None and page.origin:
            errors.append(blame(page, index, f"inside the file /{urls.file_for(below.url)}"))
        elif page.origin and name.split("/")[0] == SEARCH_FOLDER:
            errors.append(blame(page, index, f"in /{SEARCH_FOLDER}/, where the search index goes"))
    return errors


def _reported_by_index(page: Page, other: Page, index: SiteIndex) -> bool:
    """Whether two pages of articles on one URL are a clash the index reports: an alias
    on an alias or an article, or two articles with one slug."""
    if not (page.origin and other.origin):
        return False
    if "redirect.html" in (page.template, other.template):
        return True
    heads = (index.articles[page.origin], index.articles[other.origin])
    return (urls.fold(heads[0].slug) == urls.fold(heads[1].slug)
            and heads[0].standalone == heads[1].standalone
            and heads[0].language == heads[1].language)


def _alike(page: Page, other: Page) -> str:
    """How `page`'s URL is `other`'s when they are not spelled the same."""
    if page.url == other.url:
        return ""
    return f" ({other.url}), as hosts that ignore case and accents see it"


def blame(page: Page, index: SiteIndex, taken_by: str) -> ContentError:
    """The error for a page of an article whose URL is already `taken_by` something else."""
    if page.origin is None:
        return ContentError(page.template, f"URL {page.url} is already {taken_by}")
    if page.template == "redirect.html":
        field, advice = "aliases", "remove or change the alias"
    elif page.template == PAGE_TEMPLATE:
        field, advice = "slug", "rename the file or set slug:"
    else:
        field, advice = "slug", "change the slug or the permalink pattern"
    return index.articles[page.origin].error(
        field, f"URL {page.url} is already {taken_by}; {advice}"
    )
