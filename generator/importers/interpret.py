"""Drafts into stories: each field read the way Folio reads front matter.

A draft without a date is skipped (a listing or index page, not a story); one
whose date or title cannot be read fails. Any other value Folio could not use
is kept in the front matter under `source_<field>` and named in a warning, so
nothing the source said is lost.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from ..site import urls
from ..site.config import language_problem
from ..site.model import Photo, RelatedLink
from ..site.slugs import is_valid_slug, slugify
from .bylines import people
from .dates import is_date_only, to_moment
from .sanitize import is_web_link, unsafe_link_warning
from .story import Draft, Refused, Story, failed, skipped

FIELDS = (
    "title", "dek", "byline", "date", "updated", "section", "publication", "tags",
    "photo", "related", "slug", "draft", "aliases", "language", "translation_key",
)
"""Folio fields an importer fills; any other key of a draft is kept as it is."""

SLUG_LENGTH = 50
"""Longest slug made from a headline, cut at a word boundary."""

_TAG = re.compile(r"<[^>]+>")
_SMALL_WORDS = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "of", "on", "or", "the",
     "to", "with"]
)
_PHOTO_SRC = ("src", "url", "path", "image", "file", "href")
_PHOTO_CAPTION = ("caption", "title")
_PHOTO_CREDIT = ("credit", "attribution")
_PHOTO_KEYS = frozenset((*_PHOTO_SRC, *_PHOTO_CAPTION, *_PHOTO_CREDIT, "alt"))


def plain_text(html_text: str) -> str:
    """The text of a little HTML (an excerpt, a caption, a feed summary) on one line."""
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


def headline_slug(title: str) -> str:
    """The headline's slug, cut to SLUG_LENGTH at a word boundary, small last words dropped."""
    slug = slugify(title)
    if len(slug) <= SLUG_LENGTH:
        return slug
    words: list[str] = []
    for word in slug.split("-"):
        if len("-".join([*words, word])) > SLUG_LENGTH:
            break
        words.append(word)
    while words and words[-1] in _SMALL_WORDS:
        words.pop()
    return "-".join(words) or slug[:SLUG_LENGTH].strip("-")


def interpret(draft: Draft, zone: tzinfo, default_byline: str,
              max_tags: int) -> Story | Refused:
    """The story `draft` holds, or why it holds none; no more than `max_tags` tags (the
    site's limit: the rest are kept in front matter, so the story still builds)."""
    values = draft.fields
    try:
        date = to_moment(values.get("date"), zone)
    except ValueError as exc:
        return failed(draft.source, f"date: {exc}")
    if date is None:
        return skipped(draft.source, "no date, so not a story (a listing or index page?)")
    title = values.get("title")
    given = " ".join(str(title).split()) if isinstance(title, str | int | float) else ""
    headline = given or stand_in_title(draft)
    if not headline:
        return failed(draft.source, "no title (a headline is required), and no text or slug "
                                    "to make one of")
    reading = _Reading(draft, zone, max_tags)
    if not given:
        reading.warnings.append(f"title: none in the source (WordPress allows that); used "
                                f"{headline!r}: write a headline")
    return reading.story(headline, date, default_byline)


TITLE_WORDS = 10
"""Words of a story's text that stand in for a headline it lacks."""


def stand_in_title(draft: Draft) -> str:
    """A headline for a story that has none: its first words, else its slug in words."""
    words = plain_text(draft.body).split()
    if words:
        return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    slug = draft.fields.get("slug")
    return str(slug).replace("-", " ").strip().capitalize() if isinstance(slug, str) else ""


class _Reading:
    """The optional fields of one draft; what cannot be used goes to `extra` and `warnings`."""

    def __init__(self, draft: Draft, zone: tzinfo, max_tags: int) -> None:
        self.draft = draft
        self.values = draft.fields
        self.zone = zone
        self.max_tags = max_tags
        self.warnings = list(draft.warnings)
        self.extra: dict[str, Any] = {
            key: value for key, value in draft.fields.items() if key not in FIELDS
        }

    def keep(self, name: str, value: Any, why: str) -> None:
        self.extra[f"source_{name}"] = value
        self.warnings.append(f"{name}: {why}; kept as source_{name}")

    def story(self, title: str, date: datetime, default_byline: str) -> Story:
        bylines = self.names(self.values.get("byline"))
        section, more_tags = self.section()
        tags = self.tags(self.values.get("tags"), more_tags)
        updated = self.updated(date)
        return Story(
            source=self.draft.source,
            title=title,
            bylines=bylines or (default_byline,),
            date=date,
            body=self.draft.body,
            slug=self.slug(title),
            dek=self.text("dek"),
            updated=updated,
            section=section,
            publication=self.text("publication"),
            tags=tags,
            photo=self.photo(self.values.get("photo")),
            related=self.related(),
            draft=self.flag("draft"),
            aliases=self.aliases(),
            extra=self.extra,
            warnings=tuple(self.warnings),
            default_byline=not bylines,
            placeholders=self.draft.placeholders,
            date_only=is_date_only(self.values.get("date")),
            page=self.draft.page,
            language=self.language(),
            translation_key=self.text("translation_key"),
        )

    def language(self) -> str:
        """The story's language: its folder's on a multilingual site, else `language`."""
        tag = self.draft.language or self.text("language")
        if tag and language_problem(tag):
            self.keep("language", tag, "expected a BCP 47 language tag such as en or pt-BR")
            return ""
        return tag

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if value is None or isinstance(value, bool):
            return ""
        if isinstance(value, str | int | float):
            return " ".join(str(value).split())
        self.keep(name, value, "expected text")
        return ""

    def names(self, value: Any) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [] if value is None else [value]
        found: dict[str, str] = {}
        roles: dict[str, str] = {}
        for item in items:
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                self.keep("byline", value, "expected names")
                return ()
            for person in people(str(item), self.draft.language):
                found.setdefault(slugify(person.name), person.name)
                if person.role:
                    roles.setdefault(person.name, person.role)
        if roles:
            self.extra["byline_roles"] = roles
        return tuple(name for key, name in found.items() if key)

    def section(self) -> tuple[str, list[Any]]:
        value = self.values.get("section")
        if isinstance(value, list):
            first, rest = (value[0], value[1:]) if value else ("", [])
            return (str(first).strip() if isinstance(first, str | int) else ""), rest
        return self.text("section"), []

    def tags(self, value: Any, more: list[Any]) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value or []
        if not isinstance(items, list):
            self.keep("tags", value, "expected a list of names")
            items = []
        found: dict[str, str] = {}
        unusable = []
        for item in [*items, *more]:
            text = " ".join(str(item).split()) if isinstance(item, str | int) else ""
            if slugify(text):
                found.setdefault(slugify(text), text)
            elif text or not isinstance(item, str | int):
                unusable.append(item)
        if unusable:
            self.keep("tags", unusable, "names without letters or digits")
        names = tuple(found.values())
        if len(names) > self.max_tags:
            self.keep("more_tags", list(names[self.max_tags:]),
                      f"more than max_tags ({self.max_tags}) in folio.toml allows")
        return names[: self.max_tags]

    def updated(self, date: datetime) -> datetime | None:
        value = self.values.get("updated")
        try:
            updated = to_moment(value, self.zone)
        except ValueError as exc:
            self.keep("updated", value, str(exc))
            return None
        if updated is not None and updated < date:
            self.keep("updated", value, "is earlier than the date")
            return None
        return updated

    def slug(self, title: str) -> str:
        value = self.values.get("slug")
        text = str(value).strip() if isinstance(value, str | int) else ""
        if not slugify(text):
            return headline_slug(title)
        if not is_valid_slug(text):
            self.warnings.append(f"slug: {text!r} is not a valid slug; used {slugify(text)!r}")
        return slugify(text)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
            return value.strip().lower() in ("true", "yes")
        if value is None or isinstance(value, bool):
            return bool(value)
        self.keep(name, value, "expected true or false")
        return False

    def photo(self, value: Any) -> Photo | None:
        if isinstance(value, list):
            if len(value) > 1:
                self.extra["source_photos"] = value[1:]
                self.warnings.append("photo: the first image is the photo, the rest source_photos")
            value = value[0] if value else None
        parts = {"src": value} if isinstance(value, str) else value
        if parts is None:
            return None
        if not isinstance(parts, dict) or set(map(str, parts)) - _PHOTO_KEYS:
            self.keep("photo", value, "expected an image URL or src, alt, caption and credit")
            return None
        return self._photo_parts(parts, value)

    def _photo_parts(self, parts: Mapping[Any, Any], value: Any) -> Photo | None:
        src = _first(parts, _PHOTO_SRC)
        if src and urlsplit(src).scheme.lower() not in ("", "http", "https"):
            self.keep("photo", value, f"{src!r} is neither an http(s) URL nor a file's path")
            return None
        texts = (
            _first(parts, ("alt",)), _first(parts, _PHOTO_CAPTION), _first(parts, _PHOTO_CREDIT)
        )
        if not (src or any(texts)):
            return None
        return Photo(src or None, *texts)

    def related(self) -> tuple[RelatedLink, ...]:
        value = self.values.get("related")
        items = value if isinstance(value, list) else [] if value is None else [value]
        links = []
        for item in items:
            entry = {"title": item} if isinstance(item, str) else item
            link = _related_link(entry) if isinstance(entry, dict) else None
            if link is None:
                self.keep("related", value, "expected headlines, or title and an http(s) url")
                return ()
            links.append(link)
        return tuple(links)

    def aliases(self) -> tuple[str, ...]:
        value = self.values.get("aliases")
        items = value if isinstance(value, list) else [] if value is None else [value]
        for item in items:
            if isinstance(item, str) and not is_web_link(item):
                self.warnings.append(unsafe_link_warning("aliases", item))
        items = [item for item in items if not isinstance(item, str) or is_web_link(item)]
        paths = [(item, _site_path(item) if isinstance(item, str) else None) for item in items]
        unusable = [item for item, path in paths if path is None]
        if unusable:
            self.keep("aliases", unusable, "not old paths that a redirect page can answer")
        return tuple(dict.fromkeys(path for _, path in paths if path))


def _first(value: Mapping[Any, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        found = value.get(key)
        if isinstance(found, str | int | float) and str(found).strip():
            return " ".join(str(found).split())
    return ""


def _related_link(entry: dict[Any, Any]) -> RelatedLink | None:
    title, url = entry.get("title"), entry.get("url")
    if not isinstance(title, str) or not title.strip() or set(entry) - {"title", "url"}:
        return None
    if url is None:
        return RelatedLink(None, " ".join(title.split()), None)
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return RelatedLink(None, " ".join(title.split()), url)


def _site_path(text: str) -> str | None:
    """The path of an old URL or path as Folio keeps aliases; None for a query or the root."""
    parts = urlsplit(text.strip())
    if parts.query or parts.fragment or not parts.path.strip("/"):
        return None
    # Servers read //greek/ as /greek/ (an export's link joins a base URL ending in /).
    path = re.sub(r"/{2,}", "/", "/" + parts.path)
    try:
        return urls.normalize(path)
    except ValueError:
        return None
