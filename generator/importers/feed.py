"""RSS 2.0 and Atom files (saved to disk; nothing is fetched) into drafts, through feedparser.

Each entry gives title, authors (the feed's when the entry names none), date
(with the offset the feed wrote), categories as tags, the full content as HTML
(else the summary), the summary as dek when there is full content, the first
image of media:content, an image enclosure or media:thumbnail as photo, and
the path of its link as an alias. Bodies are cleaned by `sanitize` (not by
feedparser), and a link that is no web address gives neither alias nor slug.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import feedparser

from .dates import parse_date_text
from .interpret import plain_text
from .sanitize import clean_html, is_web_link, left_out_warning
from .story import Draft, Item, ReadOptions, failed, skipped

SUFFIXES = (".xml", ".rss", ".atom")
_PAGE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?)$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def read(path: Path, source: str, options: ReadOptions) -> Iterator[Item]:
    try:
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    except OSError as exc:
        yield failed(source, f"cannot be read: {exc.strerror or exc}")
        return
    if not parsed.entries:
        yield _empty(parsed, source)
        return
    problem = parsed.bozo_exception if parsed.bozo else None
    warnings = (
        (f"the feed is not well-formed ({problem}); read leniently",)
        if problem and not isinstance(problem, feedparser.CharacterEncodingOverride)
        else ()
    )
    authors = _names(parsed.feed)
    for number, entry in enumerate(parsed.entries, start=1):
        yield _draft(entry, f"{source} #{number}", authors, warnings, options)


def _empty(parsed: Any, source: str) -> Item:
    if parsed.bozo:
        return failed(source, f"not a readable feed: {parsed.bozo_exception}")
    if not parsed.version:
        return failed(source, "not an RSS or Atom feed")
    return skipped(source, "the feed has no entries")


def _draft(
    entry: Any, source: str, authors: list[str], warnings: tuple[str, ...], options: ReadOptions
) -> Draft:
    content = entry.get("content") or []
    body, left_out = clean_html(
        content[0].get("value", "") if content else entry.get("summary", "")
    )
    lost = left_out_warning(left_out)
    summary = plain_text(clean_html(entry.get("summary", ""))[0]) if content else ""
    published = _moment(entry, "published")
    updated = _moment(entry, "updated")
    fields: dict[str, Any] = {
        "title": entry.get("title"),
        "dek": summary if summary and summary != plain_text(body) else None,
        "byline": _names(entry) or authors or None,
        "date": published or updated,
        "updated": updated if published and updated != published else None,
        "tags": [t.get("term") or t.get("label") for t in entry.get("tags", [])] or None,
        "photo": _photo(entry),
        "slug": _slug(entry.get("link", "")),
        "aliases": entry.get("link") or None,
    }
    for key, name in options.field_map.items():
        if isinstance(entry.get(key), str):
            fields[name] = entry[key]
    return Draft(source, fields, body.strip(), (*warnings, *([lost] if lost else [])))


def _names(item: Any) -> list[str]:
    return [a["name"] for a in item.get("authors", []) if a.get("name")]


def _moment(entry: Any, name: str) -> datetime | None:
    """The date as written (keeping its offset); feedparser's UTC reading as a fallback.

    dict.get, as feedparser's own get answers a missing `updated` with `published`, and warns.
    """
    written = dict.get(entry, name)
    moment = parse_date_text(written) if written else None
    parsed = dict.get(entry, f"{name}_parsed")
    if moment is None and parsed:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return moment


def _photo(entry: Any) -> dict[str, str] | None:
    candidates = [
        *(m for m in entry.get("media_content", []) if _is_image(m.get("medium"), m.get("type"))),
        *(
            {"url": link.get("href")} for link in entry.get("links", [])
            if link.get("rel") == "enclosure" and _is_image(None, link.get("type"))
        ),
        *entry.get("media_thumbnail", []),
    ]
    src = next((c["url"] for c in candidates if c.get("url")), None)
    if src is None:
        return None
    credit = next((c.get("content") for c in entry.get("media_credit", []) if c.get("content")), "")
    return {"src": src, "credit": credit}


def _is_image(medium: str | None, kind: str | None) -> bool:
    return medium == "image" or (kind or "").startswith("image/")


def _slug(link: str) -> str | None:
    """The last part of the old link's path when it is made of words ("/2015/09/hello-world/")."""
    if not is_web_link(link):
        return None
    name = _PAGE_SUFFIX.sub("", PurePosixPath(urlsplit(link).path).name)
    return name if _LETTER.search(name) else None
