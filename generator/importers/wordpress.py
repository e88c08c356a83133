"""WordPress exports (WXR, any 1.x version, http:// or https:// namespace) into drafts.

Posts are imported (pages too with `--pages`); drafts, pending, private and
password-protected posts become `draft: true` (the last two with a warning, as
WordPress showed them to few readers), trashed and never-saved posts are
skipped. Bodies are cleaned by `sanitize`. The first category is the section
(WordPress's "Uncategorized" means none), other categories and tags are tags,
the featured image (`_thumbnail_id`) is looked up among the attachments and
becomes the photo, and the old permalink's path becomes an alias. Custom
fields (postmeta) are imported only when named with `--map KEY=FIELD`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse

from . import shortcodes
from .dates import fixed_offset, parse_date_text
from .interpret import plain_text
from .report import OLD_URL_NOT_COMPUTED
from .sanitize import clean_html, left_out_warning
from .story import Draft, Item, ReadOptions, failed, skipped

SUFFIXES = (".xml",)
SKIPPED_STATUSES = {
    "trash": "in the trash",
    "auto-draft": "an auto-draft WordPress never saved",
}
DRAFT_STATUSES = frozenset(["draft", "pending"])
NO_CATEGORY = "uncategorized"
"""WordPress's placeholder category (its nicename), which means no section."""

_NAMESPACES = {
    "wp": re.compile(r"^https?://wordpress\.org/export/1\.\d+/$"),
    "excerpt": re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$"),
    "content": re.compile(r"^https?://purl\.org/rss/1\.0/modules/content/$"),
    "dc": re.compile(r"^https?://purl\.org/dc/elements/1\.1/$"),
}
_WP_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Entry:
    """One `<item>` of the export, its children by prefixed name ("wp:post_id", "title")."""

    values: Mapping[str, str]
    """Text of the first child of each name."""
    categories: tuple[tuple[str, str, str], ...]
    """(domain, nicename, label) of each `<category>`."""
    meta: Mapping[str, str]
    """Custom fields: `wp:postmeta` key to value."""

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


@dataclass(frozen=True, slots=True)
class Export:
    """What the items of an export share: authors and attachments."""

    authors: Mapping[str, str]
    """Display name by login."""
    attachments: Mapping[str, Entry]
    """Attachment items by post id."""


def read(path: Path, source: str, options: ReadOptions) -> Iterator[Item]:
    try:
        root = parse(path).getroot()
    except ParseError as exc:
        line, column = exc.position
        yield failed(source, f"line {line}, column {column}: not well-formed XML")
        return
    except (DefusedXmlException, OSError) as exc:
        yield failed(source, f"cannot be read as XML: {exc}")
        return
    channel = root.find("channel") if root is not None else None
    if channel is None or not _is_wxr(channel):
        yield failed(source, "not a WordPress export (no wordpress.org/export/1.x namespace)")
        return
    entries = [_entry(item) for item in channel.iter("item")]
    export = Export(_authors(channel), _attachments(entries))
    for number, entry in enumerate(entries, start=1):
        kind = entry.get("wp:post_type") or "post"
        if kind in ("post", "page"):
            yield _item(entry, f"{source} #{entry.get('wp:post_id') or number}", export, options)


_BLOG_URL = re.compile(rb"<wp:base_blog_url>\s*(https?://[^<\s]+)\s*</wp:base_blog_url>")


def blog_address(path: Path) -> str:
    """The blog's address an export names in its header (`wp:base_blog_url`); "" when it
    names none. Only the header is read: it comes before the first item."""
    try:
        with path.open("rb") as export:
            found = _BLOG_URL.search(export.read(65536))
    except OSError:
        return ""
    return found[1].decode("utf-8", "replace") if found else ""


def _name(tag: str) -> str:
    """"{http://wordpress.org/export/1.2/}post_id" -> "wp:post_id"; plain names stay."""
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    prefix = next((p for p, pattern in _NAMESPACES.items() if pattern.match(uri)), uri)
    return f"{prefix}:{local}"


def _is_wxr(channel: Element) -> bool:
    return any(_name(child.tag).startswith("wp:") for child in channel.iter())


def _entry(item: Element) -> Entry:
    values: dict[str, str] = {}
    categories = []
    meta: dict[str, str] = {}
    for child in item:
        name = _name(child.tag)
        if name == "category":
            categories.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif name == "wp:postmeta":
            parts = {_name(part.tag): part.text or "" for part in child}
            meta.setdefault(parts.get("wp:meta_key", ""), parts.get("wp:meta_value", ""))
        else:
            values.setdefault(name, child.text or "")
    return Entry(values, tuple(categories), meta)


def _authors(channel: Element) -> dict[str, str]:
    names = {}
    for author in channel:
        if _name(author.tag) == "wp:author":
            parts = {_name(part.tag): (part.text or "").strip() for part in author}
            login = parts.get("wp:author_login", "")
            names[login] = parts.get("wp:author_display_name") or login
    return names


def _attachments(entries: list[Entry]) -> dict[str, Entry]:
    return {
        entry.get("wp:post_id"): entry
        for entry in entries
        if entry.get("wp:post_type") == "attachment"
    }


def _item(entry: Entry, source: str, export: Export, options: ReadOptions) -> Item:
    status = entry.get("wp:status") or "publish"
    if status in SKIPPED_STATUSES:
        return skipped(source, SKIPPED_STATUSES[status])
    if entry.get("wp:post_type") == "page" and not options.pages:
        return skipped(source, "a page (add --pages to import pages)")
    warnings: list[str] = []
    hidden = _hidden_reason(entry, status)
    if hidden:
        warnings.append(
            f"draft: {entry.get('title')!r} was {hidden}; imported as a draft "
            "(remove `draft: true` to publish it)"
        )
    section, tags = _taxonomies(entry)
    login = entry.get("dc:creator")
    fields: dict[str, Any] = {
        "title": entry.get("title"),
        "dek": plain_text(entry.get("excerpt:encoded")) or None,
        "byline": export.authors.get(login, login) or None,
        "date": _date(entry),
        "section": section,
        "tags": tags,
        "photo": _photo(entry, export, warnings),
        "slug": unquote(entry.get("wp:post_name")) or None,
        "draft": status in DRAFT_STATUSES or hidden is not None,
        "aliases": _old_path(entry, status, warnings),
    }
    for key, value in entry.meta.items():
        if key.lower() in options.field_map:
            fields[options.field_map[key.lower()]] = value
    body, placeholders = _body(entry, export, warnings)
    return Draft(source, fields, body, tuple(warnings), placeholders,
                 page=entry.get("wp:post_type") == "page")


def _body(entry: Entry, export: Export, warnings: list[str]) -> tuple[str, tuple[str, ...]]:
    """The cleaned body with its shortcodes translated, warning of what is left out."""
    translated, placeholders = shortcodes.translate(
        entry.get("content:encoded"), lambda ids: _gallery(entry, export, ids)
    )
    body, left_out = clean_html(translated)
    lost = left_out_warning(left_out)
    if lost:
        warnings.append(lost)
    if placeholders:
        names = ", ".join(dict.fromkeys(placeholders))
        warnings.append(f"{len(placeholders)} shortcode(s) shown as a placeholder: {names}")
    return body, placeholders


def _gallery(entry: Entry, export: Export, ids: Sequence[str]) -> list[shortcodes.Image]:
    """The images of a `[gallery]`: those of `ids`, else the post's attachments in order."""
    post = entry.get("wp:post_id")
    chosen = (
        [export.attachments[i] for i in ids if i in export.attachments] if ids else sorted(
            (a for a in export.attachments.values() if a.get("wp:post_parent") == post),
            key=lambda a: (int(a.get("wp:menu_order") or 0), int(a.get("wp:post_id") or 0)),
        )
    )
    return [
        shortcodes.Image(
            a.get("wp:attachment_url"), a.meta.get("_wp_attachment_image_alt", "").strip(),
            plain_text(a.get("excerpt:encoded")),
        )
        for a in chosen if a.get("wp:attachment_url")
    ]


def _hidden_reason(entry: Entry, status: str) -> str | None:
    """Why a post WordPress showed to few readers must not go out openly, or None."""
    if status == "private":
        return "private in WordPress"
    if entry.get("wp:post_password"):
        return "password-protected in WordPress"
    return None


def _taxonomies(entry: Entry) -> tuple[str | None, list[str]]:
    categories = [
        label for domain, nicename, label in entry.categories
        if domain == "category" and nicename.lower() != NO_CATEGORY
    ]
    tags = [label for domain, _, label in entry.categories if domain == "post_tag"]
    return (categories[0] if categories else None), categories[1:] + tags


def _date(entry: Entry) -> datetime | str | None:
    """The post's local time with the offset WordPress recorded beside it (its GMT time)."""
    local, utc = _wp_time(entry.get("wp:post_date")), _wp_time(entry.get("wp:post_date_gmt"))
    if local and utc:
        try:
            return fixed_offset(local, utc)
        except ValueError:
            return local
    return local or parse_date_text(entry.get("pubDate")) or None


def _wp_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _WP_TIME) if not text.startswith("0000") else None
    except ValueError:
        return None


def _photo(entry: Entry, export: Export, warnings: list[str]) -> dict[str, str] | None:
    thumbnail = entry.meta.get("_thumbnail_id", "").strip()
    if not thumbnail:
        return None
    attachment = export.attachments.get(thumbnail)
    if attachment is None or not attachment.get("wp:attachment_url"):
        warnings.append(f"photo: featured image {thumbnail} is not in the export; left out")
        return None
    return {
        "src": attachment.get("wp:attachment_url"),
        "alt": attachment.meta.get("_wp_attachment_image_alt", "").strip(),
        "caption": plain_text(attachment.get("excerpt:encoded")),
    }


def _old_path(entry: Entry, status: str, warnings: list[str]) -> str | None:
    """The published post's permalink (not a draft's `?p=12` link); `interpret` keeps
    its path. A published post's `?p=12` or `?page_id=3` is warned of: a static site
    cannot answer a query."""
    link = urlsplit(entry.get("link"))
    if status in DRAFT_STATUSES or (not link.path.strip("/") and not link.query):
        return None
    if link.query:
        warnings.append(f"{OLD_URL_NOT_COMPUTED}{entry.get('link')} is a query, which no "
                        "page of a static site answers")
        return None
    return entry.get("link")
