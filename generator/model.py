"""The values that flow from loading to rendering: articles and their parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from .errors import ContentError, field_error

T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle a frozen dataclass as a call of its constructor with its fields.

    Python's own way for slotted dataclasses looks up the fields again for every
    object it loads; a build cache holds hundreds of thousands of them.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def reduce(self: T) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = reduce  # type: ignore[assignment, method-assign]
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Photo:
    """The lead image of an article."""

    src: str | None
    """Absolute URL, or a site path such as /images/x.jpg; None for a credit-only photo."""
    alt: str
    """Text alternative for readers who cannot see the image."""
    caption: str
    """What the image shows."""
    credit: str
    """Who made or supplied it; shown as "Photo via <credit>"."""
    width: int | None = None
    """Width in pixels as shown (camera rotation applied); None for an outside URL."""
    height: int | None = None
    """Height in pixels as shown; None for an outside URL."""
    variants: tuple[Variant, ...] = ()
    """Files in the photo's own format, narrowest first, ending with the original file."""
    webp_variants: tuple[Variant, ...] = ()
    """WebP copies, narrowest first; empty when the photo is used only as it is."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Variant:
    """One file of a photo at one size: a resized copy or the original itself."""

    url: str
    """Site path of the file."""
    width: int
    """Width in pixels, the `w` descriptor in srcset."""
    height: int
    """Height in pixels."""
    format: str
    """Image format as Pillow names it: JPEG, PNG, GIF or WEBP."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RelatedLink:
    """An entry of `related`: another article of this site, or an outside page."""

    slug: str | None
    """Slug of an article of this site, resolved to its URL by the index."""
    title: str | None
    """Headline of the related story; with no slug or url, matched against this
    site's headlines and shown unlinked when none matches (as imported "Related:" lines)."""
    url: str | None
    """Address of an outside page."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Correction:
    """A published correction of the article."""

    date: date
    """Day the correction was made."""
    text: str
    """What was wrong and what is right."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One story, validated, with its body rendered to HTML."""

    id: str
    """Path of the source file under content/, with forward slashes."""
    slug: str
    """Last part of the URL; from front matter or the file name."""
    url: str
    """Site path of the article page, e.g. /2015/09/18/slug/."""
    title: str
    """Headline."""
    bylines: tuple[str, ...]
    """Author names, in the order given."""
    date: datetime
    """Publication time, always with a UTC offset."""
    section: str
    """Section name; config's default_section when front matter names none."""
    body_digest: str
    """Key of the body rendered to HTML in the body store (the index keeps no bodies)."""
    summary: str
    """Plain text for lists, feeds and meta tags: the dek, else the first paragraph."""
    dek: str = ""
    """Subtitle under the headline."""
    updated: datetime | None = None
    """Time of the last substantive update, if any."""
    publication: str = ""
    """Brand or kicker line, e.g. "News by VICE"."""
    tags: tuple[str, ...] = ()
    """Tag names as written."""
    photo: Photo | None = None
    """Lead photo."""
    related: tuple[RelatedLink, ...] = ()
    """Related links as written."""
    draft: bool = False
    """Drafts are built only with --drafts."""
    aliases: tuple[str, ...] = ()
    """Old site paths that redirect to this article."""
    corrections: tuple[Correction, ...] = ()
    """Corrections, oldest first."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Front-matter keys Folio does not know, passed to templates untouched."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """File line of each front-matter key, for errors found after loading."""

    @property
    def modified(self) -> datetime:
        """When the article last changed: `updated`, else `date`."""
        return self.updated or self.date

    @property
    def source(self) -> str:
        """The source file as error messages name it."""
        return f"content/{self.id}"

    def error(self, field: str, message: str) -> ContentError:
        """A problem with one of this article's fields, pointing at its line."""
        return field_error(self.source, self.lines, field, message)

    @property
    def kicker(self) -> str:
        return self.publication or self.section


class Ref(NamedTuple):
    """An article by id; `render` swaps it for the `Article`."""

    id: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Page:
    """One file of the built site, before rendering."""

    url: str
    """Site path, e.g. /tags/syria/page/2/."""
    template: str
    """Template file name, e.g. list.html."""
    context: Mapping[str, object]
    """Template variables; `Ref` values and tuples of them become articles."""
    origin: str | None = None
    """Id of the article whose front matter made this page (its own page or an alias)."""

    def shown_articles(self) -> set[str]:
        """Ids of the articles the context refers to (and so the page may print)."""
        found = set()
        for value in self.context.values():
            if isinstance(value, Ref):
                found.add(value.id)
            elif isinstance(value, tuple) and value and isinstance(value[0], Ref):
                found.update(ref.id for ref in value)
        return found
