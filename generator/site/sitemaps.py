"""Files for crawlers: /sitemap.xml, /news-sitemap.xml (Google News) and /robots.txt."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .archive import SiteIndex
from .config import Config
from .model import Page, Ref, pickled_by_fields

SITEMAP_LIMIT = 50_000
"""URLs per sitemap file (sitemaps.org); more make /sitemap.xml an index."""
NEWS_LIMIT = 1_000
"""URLs per news sitemap file (Google News)."""
NEWS_WINDOW = timedelta(days=2)
"""How far back the news sitemap reaches from the build time."""
SITEMAP_TEMPLATE = "sitemap.xml"
"""Template of a sitemap file, the longest page to render: it lists up to 50,000 pages."""
LISTED_TEMPLATES = frozenset(
    {"article.html", "page.html", "list.html", "terms.html", "archive.html", "corrections.html"})
"""Pages worth a search engine's visit: not redirects, the 404 page or search."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One <url> of a sitemap."""

    url: str
    """Site path of the page."""
    lastmod: datetime | None
    """When the page's content last changed, if it has articles."""


def crawler_pages(pages: Sequence[Page], index: SiteIndex, config: Config) -> list[Page]:
    """The sitemaps and robots.txt for `pages`."""
    modified = {article_id: a.modified for article_id, a in index.articles.items()}
    # Compared as numbers: comparing datetimes that carry offsets is much slower.
    instants = {article_id: when.timestamp() for article_id, when in modified.items()}
    latest = modified[index.newest_first[0]] if index.newest_first else None
    entries = [_entry(page, modified, instants, latest) for page in pages
               if page.template in LISTED_TEMPLATES]
    recent = [
        index.refs[i] for i in index.newest_first
        if config.present - NEWS_WINDOW <= index.articles[i].date <= config.present
    ]
    # The schema wants a <url>: no recent story, no news sitemap, and robots.txt names none.
    news = _split("/news-sitemap.xml", "news-sitemap.xml", "articles", recent, NEWS_LIMIT)
    return [
        *_split("/sitemap.xml", SITEMAP_TEMPLATE, "entries", entries, SITEMAP_LIMIT),
        *(news if recent else ()),
        Page("/robots.txt", "robots.txt", {"news_sitemap": bool(recent)}),
    ]


def _entry(page: Page, modified: Mapping[str, datetime], instants: Mapping[str, float],
           latest: datetime | None) -> SitemapEntry:
    """`page` with the day it says it last changed (its `updated`), else the last change
    of the stories it shows (of the newest story, for a page that shows none)."""
    updated = page.context.get("updated")
    if isinstance(updated, date):
        return SitemapEntry(page.url, datetime.combine(updated, time(), UTC))
    found = page.context.get("articles", (page.context.get("article"),))
    refs = found if isinstance(found, tuple) else ()
    last = max((ref.id for ref in refs if isinstance(ref, Ref)), key=instants.__getitem__,
               default=None)
    return SitemapEntry(page.url, latest if last is None else modified[last])


def _split(
    url: str, template: str, key: str, items: Sequence[object], limit: int
) -> Iterator[Page]:
    """One file, or an index at `url` of numbered files when there are over `limit` items."""
    if len(items) <= limit:
        yield Page(url, template, {key: tuple(items)})
        return
    stem = url.removesuffix(".xml")
    parts = [items[i : i + limit] for i in range(0, len(items), limit)]
    part_urls = tuple(f"{stem}-{n}.xml" for n in range(1, len(parts) + 1))
    yield Page(url, "sitemap-index.xml", {"sitemaps": part_urls})
    for part_url, part in zip(part_urls, parts, strict=True):
        yield Page(part_url, template, {key: tuple(part)})
