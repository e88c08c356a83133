"""What the build cache keeps, as MessagePack: framed, checksummed records, and the
codecs of pages, articles and loaded files, which build only the types named here."""

from __future__ import annotations

import functools
import os
import struct
import zlib
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypedDict, TypeVar
from zoneinfo import ZoneInfo

import msgspec

from ..site.errors import ContentError
from ..site.loaded import Depends, LoadedFile
from ..site.model import (
    Article,
    ArticleHead,
    Correction,
    Page,
    Photo,
    Ref,
    RelatedLink,
)
from ..site.sources import FileFacts

T = TypeVar("T")

# What is kept, as MessagePack: each file a series of records, each record its size
# and checksum, then its bytes. Decoders build only the types named here.

ENCODE = msgspec.msgpack.Encoder().encode
FRAME = struct.Struct("<II")  # size, crc32
CHECK = struct.Struct("<I")
HEADER = msgspec.msgpack.Decoder(tuple[str, int, str])
HEAD = msgspec.msgpack.Decoder(tuple[tuple[str, int, str], str])


def framed(data: bytes) -> bytes:
    return FRAME.pack(len(data), zlib.crc32(data)) + data


def read_frame(file: Any) -> bytes:
    """The next record of `file`; ValueError when it is cut short or its checksum fails."""
    head = file.read(FRAME.size)
    if len(head) != FRAME.size:
        raise ValueError("cut short")
    size, check = FRAME.unpack(head)
    data: bytes = file.read(size)
    if len(data) != size:
        raise ValueError("cut short")
    if zlib.crc32(data) != check:
        raise ValueError("checksum")
    return data


def check_rest_whole(file: Any) -> None:
    """ValueError when a record after the ones read is cut short; the records are
    skipped, not read, so a cut is found without decoding what is not used."""
    size = os.fstat(file.fileno()).st_size
    while (at := file.tell()) < size:
        head = file.read(FRAME.size)
        if len(head) != FRAME.size or at + FRAME.size + FRAME.unpack(head)[0] > size:
            raise ValueError("cut short")
        file.seek(FRAME.unpack(head)[0], os.SEEK_CUR)


def sealed(data: bytes) -> bytes:
    """`data` with its checksum in front, for a column of the store."""
    return CHECK.pack(zlib.crc32(data)) + data


def unsealed(blob: object) -> memoryview:
    if not isinstance(blob, bytes) or len(blob) < CHECK.size:
        raise ValueError("not a record")
    data = memoryview(blob)[CHECK.size :]
    if CHECK.unpack_from(blob)[0] != zlib.crc32(data):
        raise ValueError("checksum")
    return data


def problem(exc: BaseException) -> str:
    """What was wrong with a cache file, in a few words."""
    if isinstance(exc, ValueError | EOFError) and str(exc) in ("cut short", "checksum"):
        return "cut short" if str(exc) == "cut short" else "a checksum does not match"
    return type(exc).__name__


Zone = str | int | None
"""A time zone as kept: an IANA key, a fixed offset in microseconds, or None."""
Moment = tuple[int, int, int, int, int, int, int, int, Zone]
"""A datetime as kept: wall clock, fold and zone, so it comes back with the zone it
had (what templates print as its name); msgpack's timestamps keep only the instant."""
_MICROSECOND = timedelta(microseconds=1)


def moment(when: datetime) -> Moment:
    return (when.year, when.month, when.day, when.hour, when.minute, when.second,
            when.microsecond, when.fold, _zone(when))


def _zone(when: datetime) -> Zone:
    zone = when.tzinfo
    if zone is None:
        return None
    if isinstance(zone, ZoneInfo) and zone.key:
        return zone.key
    offset = when.utcoffset()
    if isinstance(zone, timezone) and offset is not None:
        kept = offset // _MICROSECOND
        if _fixed_zone(kept).tzname(None) == zone.tzname(None):
            return kept
    raise TypeError(f"a time zone the build cache cannot keep: {zone!r}")


def when(moment: Moment) -> datetime:
    year, month, day, hour, minute, second, microsecond, fold, zone = moment
    tzinfo = ZoneInfo(zone) if isinstance(zone, str) else (
        None if zone is None else _fixed_zone(zone))
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo, fold=fold)


@functools.cache
def _fixed_zone(offset: int) -> timezone:
    return timezone(offset * _MICROSECOND)


def page_bytes(page: Page) -> bytes:
    """`page` as plan-pages.msgpack keeps it and workers are sent it."""
    context = page.context
    types = _page_codec()[1]
    if not context.keys() <= types.keys():
        unknown = ", ".join(sorted(context.keys() - types.keys()))
        raise TypeError(f"no cache type for page context keys: {unknown}")
    entries = context.get("entries")
    if entries is not None:  # a sitemap's
        context = {**context, "entries": tuple(
            (e.url, e.lastmod and moment(e.lastmod)) for e in entries)}  # type: ignore[attr-defined]
    return ENCODE((page.url, page.template, context, page.origin))


def page_from(data: bytes) -> Page:
    """The page `page_bytes` encoded."""
    url, template, context, origin = _page_codec()[0].decode(data)
    entries = context.get("entries")
    if entries is not None:
        from ..site.sitemaps import SitemapEntry

        context["entries"] = tuple(SitemapEntry(url, lastmod and when(lastmod))
                                   for url, lastmod in entries)
    return Page(url, template, context, origin)


@functools.cache
def _page_codec() -> tuple[msgspec.msgpack.Decoder[Any], dict[str, Any]]:
    """The decoder of pages, and the type of each key a page's context may have."""
    from ..site.archive import ResolvedLink
    from ..site.pages import (
        CorrectionEntry,
        Pagination,
        PeriodCount,
        TermCount,
        TermLink,
        Translation,
    )
    from ..site.people import Profile

    refs = tuple[Ref, ...]
    types: dict[str, Any] = {
        "article": Ref, "related_articles": refs, "related_links": tuple[ResolvedLink, ...],
        "older": Ref | None, "newer": Ref | None, "articles": refs,
        "pinned": refs,
        "kind": str, "title": str, "count": int, "pagination": Pagination,
        "term": TermLink, "terms": tuple[TermCount, ...],
        "period": date, "periods": tuple[PeriodCount, ...], "years": tuple[PeriodCount, ...],
        "target": str, "html_url": str, "news_sitemap": bool, "sitemaps": tuple[str, ...],
        "entries": tuple[tuple[str, Moment | None], ...],
        "corrections": tuple[CorrectionEntry, ...], "updated": date, "standalone": Ref,
        "people": tuple[Profile, ...], "profile": Profile,
        "language": str, "translations": tuple[Translation, ...],
    }
    context = TypedDict("PageContext", types, total=False)  # type: ignore[misc]
    return msgspec.msgpack.Decoder(tuple[str, str, context, str | None]), types


class HeadRecord(msgspec.Struct, array_like=True):
    """An `ArticleHead` as the store keeps it (fields in the same order)."""

    id: str
    slug: str
    url: str
    title: str
    bylines: tuple[str, ...]
    date: Moment
    section: str
    updated: Moment | None
    tags: tuple[str, ...]
    photo: Photo | None
    related: tuple[RelatedLink, ...]
    draft: bool
    aliases: tuple[str, ...]
    corrections: tuple[Correction, ...]
    date_only: bool
    standalone: bool
    menu: int | None
    featured: bool
    language: str
    translation_key: str


class ArticleRecord(msgspec.Struct, array_like=True):
    """An `Article` as the store keeps it (fields in the same order)."""

    head: HeadRecord
    body_digest: str
    summary: str
    dek: str
    publication: str
    extra: dict[Any, Any]
    lines: dict[str, int]
    images: tuple[Photo, ...]


def head_record(h: ArticleHead) -> tuple[Any, ...]:
    return (h.id, h.slug, h.url, h.title, h.bylines, moment(h.date), h.section,
            h.updated and moment(h.updated), h.tags, h.photo, h.related, h.draft, h.aliases,
            h.corrections, h.date_only, h.standalone, h.menu, h.featured, h.language,
            h.translation_key)


def article_record(a: Article) -> tuple[Any, ...]:
    return (head_record(a.head), a.body_digest, a.summary, a.dek, a.publication,
            plain(a.extra), a.lines, a.images)


def article_of(r: ArticleRecord) -> Article:
    h = r.head
    head = ArticleHead(
        id=h.id, slug=h.slug, url=h.url, title=h.title, bylines=h.bylines, date=when(h.date),
        section=h.section, updated=h.updated and when(h.updated), tags=h.tags, photo=h.photo,
        related=h.related, draft=h.draft, aliases=h.aliases, corrections=h.corrections,
        date_only=h.date_only, standalone=h.standalone, menu=h.menu,
        featured=h.featured, language=h.language, translation_key=h.translation_key,
    )
    return Article(head=head, body_digest=r.body_digest, summary=r.summary, dek=r.dek,
                   publication=r.publication, extra=r.extra, lines=r.lines, images=r.images)


_SCALARS = (str, int, float, bool, bytes, type(None))


def plain(value: T) -> T:
    """`value` when MessagePack gives it back equal and of the same types (front matter
    Folio does not know: YAML's sets and pairs would come back as lists); else TypeError."""
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) not in _SCALARS:
                raise TypeError(type(key).__name__)
            plain(item)
    elif isinstance(value, list):
        for item in value:
            plain(item)
    elif type(value) not in _SCALARS:
        raise TypeError(type(value).__name__)
    return value


@functools.cache
def known_decoder() -> msgspec.msgpack.Decoder[Any]:
    return msgspec.msgpack.Decoder(tuple[str, FileFacts, Depends, int, str])


@functools.cache
def loaded_decoder() -> msgspec.msgpack.Decoder[Any]:
    return msgspec.msgpack.Decoder(tuple[
        str, FileFacts, Depends, ArticleRecord, tuple[ContentError, ...], str, str, str])


def known_record(path: str, file: LoadedFile, cached_ns: int) -> bytes:
    return sealed(ENCODE((path, file.facts, file.depends_on, cached_ns, file.content)))


def loaded_record(path: str, file: LoadedFile) -> bytes:
    return sealed(ENCODE((path, file.facts, file.depends_on, article_record(file.article),
                            file.warnings, file.content, file.digest, file.shape)))


def loaded_file(path: str, blob: object) -> LoadedFile:
    kept, facts, depends_on, article, warnings, content, digest_, shape_ = loaded_decoder().decode(
        unsealed(blob))
    if kept != path:
        raise ValueError("a row under another name")
    return LoadedFile(facts, depends_on, article_of(article), warnings, content, digest_, shape_)
