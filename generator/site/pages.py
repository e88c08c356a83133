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

from . import urls
from .archive import Period, SiteIndex, Term
from .config import Config
from .errors import ContentError
from .feeds import FEED_FILE, feed_pages
from .model import Page, Ref, pickled_by_fields
from .search import SEARCH_FOLDER, SEARCH_URL, has_search
from .sitemaps import crawler_pages


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Pagination:
    """Where a page sits in a paginated list.

    The list's URLs are worked out when asked for, not held: every page of a list
    carries its own Pagination into the build cache and its key, and a big
    archive's home list has very many pages.
    """

    number: int
    """1-based number of this page."""
    first_url: str
    """Site path of the list's first page, e.g. /tags/syria/."""
    total: int
    """How many pages the list has."""

    @property
    def urls(self) -> tuple[str, ...]:
        """Site path of every page of the list, first to last."""
        return tuple(urls.page_url(self.first_url, n) for n in range(1, self.total + 1))

    @property
    def previous_url(self) -> str | None:
        return urls.page_url(self.first_url, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return urls.page_url(self.first_url, self.number + 1) if self.number < self.total else None


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


CORRECTIONS_URL = "/corrections/"
PAGE_TEMPLATE = "page.html"
"""Template of a standalone page (content/pages/)."""


def plan_pages(index: SiteIndex, config: Config) -> list[Page]:
    """All pages in a stable order."""
    pages = [
        *_article_pages(index),
        *_standalone_pages(index),
        *_list_pages("/", "home", "Latest", index.newest_first, config, index.refs),
        *_term_index("/tags/", "Tags", index.tags),
        *_term_index("/authors/", "Authors", index.authors),
        *_term_index("/sections/", "Sections", index.sections),
        *_term_pages("tag", index.tags, config, index.refs),
        *_term_pages("author", index.authors, config, index.refs),
        *_term_pages("section", index.sections, config, index.refs),
        _archive_index(index),
        *_period_pages(index.periods, config, index.refs),
        *_alias_pages(index),
        *_corrections_pages(index, config),
        *_search_page(index, config),
        Page("/404.html", "404.html", {"title": "Page not found"}),
        *feed_pages(index, config),
    ]
    pages += crawler_pages(pages, index, config)
    return pages


def _article_pages(index: SiteIndex) -> Iterator[Page]:
    refs = index.refs
    for article_id in index.newest_first:
        article = index.articles[article_id]
        older, newer = index.older.get(article_id), index.newer.get(article_id)
        yield Page(
            article.url,
            "article.html",
            {
                "article": refs[article_id],
                "related_articles": tuple(refs[i] for i in index.related_articles[article_id]),
                "related_links": index.related_links[article_id],
                "older": refs[older] if older else None,
                "newer": refs[newer] if newer else None,
            },
            origin=article_id,
        )


def _standalone_pages(index: SiteIndex) -> Iterator[Page]:
    for page_id in index.pages:
        updated = index.articles[page_id].updated
        context: dict[str, object] = {"standalone": index.refs[page_id]}
        if updated:
            context["updated"] = updated.date()
        yield Page(index.articles[page_id].url, PAGE_TEMPLATE, context, origin=page_id)


def _list_pages(
    first_url: str,
    kind: str,
    title: str,
    ids: Sequence[str],
    config: Config,
    refs: Mapping[str, Ref],
    extra: Mapping[str, object] | None = None,
) -> Iterator[Page]:
    chunks = [ids[i : i + config.per_page] for i in range(0, len(ids), config.per_page)] or [()]
    for number, chunk in enumerate(chunks, start=1):
        yield Page(
            urls.page_url(first_url, number),
            "list.html",
            {
                "kind": kind,
                "title": title,
                "articles": tuple(refs[i] for i in chunk),
                "pagination": Pagination(number, first_url, len(chunks)),
                "count": len(ids),
                **(extra or {}),
            },
        )


def _term_index(url: str, title: str, terms: Mapping[str, Term]) -> Iterator[Page]:
    counts = tuple(TermCount(t.name, t.url, len(t.article_ids)) for t in terms.values())
    yield Page(url, "terms.html", {"title": title, "terms": counts})


def _term_pages(
    kind: str, terms: Mapping[str, Term], config: Config, refs: Mapping[str, Ref]
) -> Iterator[Page]:
    for term in terms.values():
        yield from _list_pages(
            term.url,
            kind,
            term.name,
            term.article_ids,
            config,
            refs,
            {"term": TermCount(term.name, term.url, len(term.article_ids))},
        )


def _archive_index(index: SiteIndex) -> Page:
    children = _sub_periods(index.periods)
    years = tuple(
        replace(_count(year), months=children[year.parts])
        for year in index.periods.values()
        if len(year.parts) == 1
    )
    return Page("/archive/", "archive.html", {"title": "Archive", "years": years})


def _period_pages(
    periods: Mapping[tuple[int, ...], Period], config: Config, refs: Mapping[str, Ref]
) -> Iterator[Page]:
    kinds = {1: "year", 2: "month", 3: "day"}
    children = _sub_periods(periods)
    for period in periods.values():
        extra = {"period": _count(period).day, "periods": children[period.parts]}
        yield from _list_pages(
            period.url, kinds[len(period.parts)], "", period.article_ids, config, refs, extra
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


def _corrections_pages(index: SiteIndex, config: Config) -> Iterator[Page]:
    """The corrections page, paginated, and its feed; none when nothing was corrected."""
    entries = tuple(_correction_entry(index, c.article_id, c.number) for c in index.corrections)
    if not entries:
        return
    size = config.per_page
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)]
    for number, chunk in enumerate(chunks, start=1):
        yield Page(
            urls.page_url(CORRECTIONS_URL, number),
            "corrections.html",
            {
                "title": "Corrections",
                "corrections": chunk,
                "pagination": Pagination(number, CORRECTIONS_URL, len(chunks)),
                "count": len(entries),
                "updated": chunk[0].date,
            },
        )
    feed = {"title": f"{config.title}: Corrections", "html_url": CORRECTIONS_URL,
            "corrections": entries[: config.feed_size]}
    yield Page(CORRECTIONS_URL + FEED_FILE, "corrections-feed.xml", feed)


def _correction_entry(index: SiteIndex, article_id: str, number: int) -> CorrectionEntry:
    article = index.articles[article_id]
    correction = article.corrections[number]
    return CorrectionEntry(article.title, article.url, correction.date, correction.text,
                           number + 1)


def _search_page(index: SiteIndex, config: Config) -> Iterator[Page]:
    if has_search(config, index):
        yield Page(SEARCH_URL, "search.html", {"title": "Search"})


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
            and heads[0].standalone == heads[1].standalone)


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
