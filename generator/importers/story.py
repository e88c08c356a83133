"""What importers hand on: drafts as read, stories as Folio will hold them, and refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from ..site.model import Photo, RelatedLink


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What every reader may need to know besides its input."""

    zone: tzinfo
    """The site's timezone, for dates written without an offset."""
    field_map: Mapping[str, str] = field(default_factory=dict)
    """`--map`: source key (lower case) to Folio field, applied before any other renaming."""
    pages: bool = False
    """Import WordPress pages as well as posts."""


@dataclass(frozen=True, slots=True)
class Draft:
    """One story as a reader found it: values under Folio's field names, not yet checked."""

    source: str
    """Where it came from, as the summary names it: a file, or a file and an item number."""
    fields: Mapping[str, Any]
    """Front-matter fields by Folio name (title, byline, date, ...); other keys are kept as is."""
    body: str
    """The story text: Markdown, or HTML for feeds and WordPress."""
    warnings: tuple[str, ...] = ()
    """What the reader kept or left out that the user should look at."""
    placeholders: tuple[str, ...] = ()
    """Name of each template tag or shortcode the body shows as a placeholder."""
    meta: Mapping[str, Any] = field(default_factory=dict)
    """The source's front matter as written (keys in lower case), for its templates."""
    language: str = ""
    """The story's language when the source says it (a multilingual site's folder)."""
    page: bool = False
    """A standalone page (WordPress's About), not a dated story."""


@dataclass(frozen=True, slots=True)
class Story:
    """One story with every field checked, ready to be written as a Markdown file."""

    source: str
    """Where it came from, as the summary names it."""
    title: str
    """Headline."""
    bylines: tuple[str, ...]
    """Author names, in order; the default byline when the source names none."""
    date: datetime
    """Publication time, with an offset."""
    body: str
    """The story text, written after the front matter."""
    slug: str
    """Preferred slug and file name; a suffix is added when it is taken."""
    dek: str = ""
    """Subtitle."""
    updated: datetime | None = None
    """Time of the last revision, with an offset."""
    section: str = ""
    """Section name; empty for the site's default."""
    publication: str = ""
    """Brand or kicker line."""
    tags: tuple[str, ...] = ()
    """Tag names."""
    photo: Photo | None = None
    """Lead photo: an http(s) URL or (until the images are placed) a path in the old site,
    and/or its alt text, caption and credit."""
    related: tuple[RelatedLink, ...] = ()
    """Related stories: title-only entries, or titles with an outside URL."""
    draft: bool = False
    """Not published in the source."""
    aliases: tuple[str, ...] = ()
    """Old site paths of the story, for redirects."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Source keys Folio does not know, kept in the front matter."""
    warnings: tuple[str, ...] = ()
    """What the user should look at (kept as text, left out, guessed)."""
    default_byline: bool = False
    """The source named no author and the default byline was used."""
    placeholders: tuple[str, ...] = ()
    """Name of each template tag or shortcode the body shows as a placeholder."""
    date_only: bool = False
    """The source gave a day without a time of day."""
    html: bool = False
    """The body is HTML, or Markdown carrying raw HTML."""
    images: tuple[LocalImage, ...] = ()
    """Files of the old site the photo and body name, to be copied beside the story."""
    missing_images: tuple[MissingImage, ...] = ()
    """Local images the old site does not hold; the story names them as written."""
    page: bool = False
    """A standalone page, written to content/pages/ and shown at /<slug>/."""
    language: str = ""
    """BCP 47 tag of the story's language; "" when the source does not say."""
    translation_key: str = ""
    """Stories with one key are translations of one another."""


@dataclass(frozen=True, slots=True)
class LocalImage:
    """An image file of the old site that a story shows."""

    reference: str
    """The photo's src or the body's image address, as the source wrote it."""
    file: Path
    """The file it names in the old site."""


@dataclass(frozen=True, slots=True)
class MissingImage:
    """A local image a story names that is not in the old site."""

    field: str
    """photo or body."""
    reference: str
    """The address as the source wrote it."""
    looked_for: tuple[str, ...]
    """The files it could have been, none of which exists."""


@dataclass(frozen=True, slots=True)
class Refused:
    """An input, or an item in it, that gives no story."""

    source: str
    """Where it came from, as the summary names it."""
    reason: str
    """Why, in words the user can act on."""
    failed: bool
    """True for a broken input (the import exits 1), False for one skipped on purpose."""


Item = Draft | Refused
"""What a reader yields."""

FileReader = Callable[[Path, str], Iterator[Item]]
"""Reads one input file (its path, and its name in the summary) into items."""


def skipped(source: str, reason: str) -> Refused:
    return Refused(source, reason, failed=False)


def failed(source: str, reason: str) -> Refused:
    return Refused(source, reason, failed=True)
