"""Atom feeds (RFC 4287): the whole site, and every tag, author and section."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .archive import Edition, SiteIndex, Term
from .config import Config
from .model import Page, Ref

FEED_FILE = "feed.xml"


def feed_pages(edition: Edition, index: SiteIndex, config: Config) -> Iterator[Page]:
    """One feed page per list of `edition` that readers may follow, newest `feed_size`
    entries each."""
    pages = [_feed(edition.prefix + "/", config.title, edition.newest_first, config, index.refs)]
    for terms in (edition.tags, edition.authors, edition.sections):
        pages += _term_feeds(terms, config, index.refs)
    for page in pages:
        yield page.in_language(edition.language)


def _term_feeds(
    terms: Mapping[str, Term], config: Config, refs: Mapping[str, Ref]
) -> Iterator[Page]:
    for term in terms.values():
        yield _feed(term.url, f"{config.title}: {term.name}", term.article_ids, config, refs)


def _feed(
    html_url: str, title: str, ids: tuple[str, ...], config: Config, refs: Mapping[str, Ref]
) -> Page:
    return Page(
        html_url + FEED_FILE,
        "feed.xml",
        {
            "title": title,
            "html_url": html_url,
            "articles": tuple(refs[i] for i in ids[: config.feed_size]),
        },
    )
