"""The values that flow from loading to rendering: articles and their parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, TypeVar

from .errors import ContentError, field_error

T = TypeVar("T")

UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
"""The `date` of a standalone page whose front matter gives none: published whatever
the present, and never printed (pages show no date)."""


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle a frozen dataclass as a call of its constructor with its fields.

    Python's own way for slotted dataclasses looks up the fields again for every
    object it loads, and a build cache holds a great many of them.
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
class ArticleHead:
    """What of an article decides which pages the site has and what they list.

    Indexing and page planning read only heads, so an edit that keeps the head
    keeps every page where it was: its digest is the article's `shape`. A page
    may print only head fields unless it shows the article itself (a `Ref`).
    """

    id: str
    """Path of the source file under content/, with forward slashes."""
    slug: str
    """Last part of the URL; from front matter or the file name."""
    url: str
    """Site path of the article page, e.g. /2015/09/18/slug/."""
    title: str
    """Headline: redirects print it, `related` entries match it."""
    bylines: tuple[str, ...]
    """Author names, in the order given."""
    date: datetime
    """Publication time, always with a UTC offset."""
    section: str
    """Section name; config's default_section when front matter names none."""
    updated: datetime | None = None
    """Time of the last substantive update, if any."""
    tags: tuple[str, ...] = ()
    """Tag names as written."""
    photo: Photo | None = None
    """Lead photo: its copies are files of the site."""
    related: tuple[RelatedLink, ...] = ()
    """Related links as written."""
    draft: bool = False
    """Drafts are built only with --drafts."""
    aliases: tuple[str, ...] = ()
    """Old site paths that redirect to this article."""
    corrections: tuple[Correction, ...] = ()
    """Corrections, oldest first: the corrections page lists them."""
    date_only: bool = False
    """`date` names a day and no time of day (`2015-09-18`): pages show no time."""
    standalone: bool = False
    """A standalone page (content/pages/), not a story: in no list, feed or count."""
    menu: int | None = None
    """Place in the menu of a standalone page with `menu: true` (its `order`, lower
    first); None when it is not in the menu."""
    featured: bool = False
    """Pinned at the top of the home page and its section's front while set."""
    language: str = ""
    """BCP 47 tag of the article's language, lower case; "" for the site's own language.
    Articles in another language are under /<language>/, in that language's lists."""
    translation_key: str = ""
    """Articles with one key are translations of one another; "" for none."""

    @property
    def modified(self) -> datetime:
        """When the article last changed: `updated`, else `date`."""
        return self.updated or self.date

    @property
    def source(self) -> str:
        """The source file as error messages name it."""
        return f"content/{self.id}"

    def error(self, field: str, message: str) -> ContentError:
        """A problem with one of this article's fields; a head knows no lines, so the
        build points it at its line (`Article.locate`)."""
        return field_error(self.source, {}, field, message)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One story, validated, with its body rendered to HTML: its head and what only
    the pages showing it print. The head's fields read as the article's own."""

    head: ArticleHead
    """Everything that decides pages (see `ArticleHead`)."""
    body_digest: str
    """Key of the body rendered to HTML in the body store (the index keeps no bodies)."""
    summary: str
    """Plain text for lists, feeds and meta tags: the dek, else the first paragraph."""
    dek: str = ""
    """Subtitle under the headline."""
    publication: str = ""
    """Brand or kicker line, e.g. "News by VICE"."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Front-matter keys Folio does not know, passed to templates untouched."""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """File line of each front-matter key, for errors found after loading."""
    images: tuple[Photo, ...] = ()
    """Local images of the body, measured: their copies are files of the site."""

    @property
    def id(self) -> str:
        return self.head.id

    @property
    def slug(self) -> str:
        return self.head.slug

    @property
    def url(self) -> str:
        return self.head.url

    @property
    def title(self) -> str:
        return self.head.title

    @property
    def bylines(self) -> tuple[str, ...]:
        return self.head.bylines

    @property
    def date(self) -> datetime:
        return self.head.date

    @property
    def date_only(self) -> bool:
        return self.head.date_only

    @property
    def section(self) -> str:
        return self.head.section

    @property
    def updated(self) -> datetime | None:
        return self.head.updated

    @property
    def tags(self) -> tuple[str, ...]:
        return self.head.tags

    @property
    def photo(self) -> Photo | None:
        return self.head.photo

    @property
    def related(self) -> tuple[RelatedLink, ...]:
        return self.head.related

    @property
    def draft(self) -> bool:
        return self.head.draft

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.head.aliases

    @property
    def corrections(self) -> tuple[Correction, ...]:
        return self.head.corrections

    @property
    def standalone(self) -> bool:
        return self.head.standalone

    @property
    def featured(self) -> bool:
        return self.head.featured

    @property
    def language(self) -> str:
        return self.head.language

    @property
    def modified(self) -> datetime:
        return self.head.modified

    @property
    def source(self) -> str:
        return self.head.source

    def error(self, field: str, message: str) -> ContentError:
        """A problem with one of this article's fields, pointing at its line."""
        return field_error(self.source, self.lines, field, message)

    def locate(self, error: ContentError) -> ContentError:
        """`error`, found in this article's head, pointed at its field's line."""
        if error.line is not None or error.field is None or error.path != self.source:
            return error
        return field_error(error.path, self.lines, error.field, error.message)

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

    def in_language(self, language: str) -> Page:
        """This page, said to be in `language` when that is not the site's own ("")."""
        return replace(self, context={**self.context, "language": language}) if language else self

    def shown_articles(self) -> set[str]:
        """Ids of the articles the context refers to (and so the page may print)."""
        found = set()
        for value in self.context.values():
            if isinstance(value, Ref):
                found.add(value.id)
            elif isinstance(value, tuple) and value and isinstance(value[0], Ref):
                found.update(ref.id for ref in value)
        return found
