"""Files under `content/` into `Article` values; every mistake collected, none raised alone."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from markdown_it import MarkdownIt

from . import frontmatter_yaml, urls
from .cache import (
    CACHE_SALT,
    FileFacts,
    LoadedFile,
    Store,
    StoredSource,
    article_digest,
    digest,
    shape,
    toolchain_digest,
)
from .config import Config
from .errors import ContentError, display_path
from .fields import FieldReader
from .images import photo_warnings
from .markdown import shared_parser
from .model import Article, ArticleHead, pickled_by_fields
from .parallel import Runner, batched
from .slugs import slug_of, slugify
from .sources import Asset, Source, Sources

T = TypeVar("T")
V = TypeVar("V")

_DATE_PREFIX = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-")
KNOWN_FIELDS = frozenset(
    [
        "title",
        "dek",
        "byline",
        "date",
        "updated",
        "section",
        "publication",
        "tags",
        "photo",
        "related",
        "slug",
        "draft",
        "aliases",
        "corrections",
    ]
)


@dataclass(slots=True)
class Loaded:
    """What loading content/ found."""

    articles: list[Article] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    """Problems worth telling the writer about that do not stop a build."""
    files: dict[str, LoadedFile] = field(default_factory=dict)
    """Every Markdown file loaded without errors, by path under content/."""


@pickled_by_fields  # one per Markdown file crosses from a worker to the building process
@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One Markdown file, loaded."""

    relative: str
    loaded: LoadedFile | None
    """The article with the facts it was made from; None when the file has errors."""
    errors: tuple[ContentError, ...]
    body: str = ""
    """The body rendered to HTML, for the body store."""


def load_settings(config: Config) -> str:
    """Digest of every setting that changes what a Markdown file loads to, and of
    the code that loads it (another Markdown parser may give other HTML)."""
    shaping = (config.timezone, config.permalink, config.default_section,
               config.markdown_html, config.image_widths, str(config.content_dir.resolve()),
               config.max_tags, config.max_bylines, config.max_aliases, config.max_related)
    return digest(repr(shaping), CACHE_SALT, toolchain_digest())


def load_content(config: Config, runner: Runner, sources: Sources, store: Store) -> Loaded:
    """Every article and asset `sources` found under the site's content folder.

    Files the store holds unchanged are not read; the others are parsed by
    `runner`, their bodies rendered into the store.
    """
    assets, asset_errors = usable_assets(sources.assets, config)
    result = Loaded(assets=assets, errors=list(sources.errors) + asset_errors)
    rows = store.sources()
    files, errors = load_files(config, runner, sources.markdown, store, rows, Sharing().file)
    result.errors += errors
    store.forget(rows.keys() - {s.relative for s in sources.markdown})
    store.keep_bodies(f.article.body_digest for f in files.values())
    for relative in sorted(files):
        loaded = result.files[relative] = files[relative]
        result.articles.append(loaded.article)
        result.warnings.extend(loaded.warnings)
    return result


def usable_assets(assets: Sequence[Asset], config: Config
                  ) -> tuple[list[Asset], list[ContentError]]:
    """The assets whose paths can be files of any host, and errors naming the others."""
    usable, errors = [], []
    for asset in assets:
        try:
            urls.file_name(asset.url)
        except ValueError as exc:
            shown = display_path(asset.source, config.site_dir)
            errors.append(ContentError(shown, f"cannot be copied to the site: its path {exc}; "
                                              "rename it"))
        else:
            usable.append(asset)
    return usable, errors


class Sharing:
    """One object for each value that many articles repeat: names, time zones, line
    maps. Each article comes unpickled from a worker or the store, with copies of
    its own, and a big archive holds every article at once."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, Any] = {}

    def file(self, loaded: LoadedFile) -> LoadedFile:
        article = loaded.article
        head = article.head
        return replace(loaded, article=replace(
            article,
            head=replace(
                head,
                bylines=self._names(head.bylines),
                date=self._moment(head.date),
                section=self._share(head.section, head.section),
                updated=head.updated and self._moment(head.updated),
                tags=self._names(head.tags),
            ),
            publication=self._share(article.publication, article.publication),
            extra=self._mapping(article.extra),
            lines=self._mapping(article.lines),
        ))

    def _share(self, key: Hashable, value: T) -> T:
        found: T = self._seen.setdefault(key, value)
        return found

    def _names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self._share(name, name) for name in names)

    # Keyed by repr, not by value: equal values can print differently (1 and True,
    # time zones of the same offset and other names).
    def _moment(self, moment: datetime) -> datetime:
        zone = moment.tzinfo
        return moment.replace(tzinfo=self._share(("zone", repr(zone)), zone))

    def _mapping(self, mapping: Mapping[str, V]) -> Mapping[str, V]:
        return self._share(("mapping", repr(mapping)), mapping)


def load_files(
    config: Config,
    runner: Runner,
    sources: Sequence[Source],
    store: Store,
    rows: Mapping[str, StoredSource],
    keep: Callable[[LoadedFile], LoadedFile] = lambda loaded: loaded,
) -> tuple[dict[str, LoadedFile], list[ContentError]]:
    """The files of `sources`, from the store where `rows` say it holds them as they
    are, else parsed (and then stored); with the errors of those that have some.
    Each file is kept as `keep` makes it, as it arrives: a big archive's copies
    all held at once, then made again, took 100 MB."""
    started_ns = time.time_ns()
    current = {s.relative for s in sources
               if (row := rows.get(s.relative)) is not None and row.is_current(s.facts)}
    touched = _same_bytes(config.content_dir,
                          [s for s in sources if s.relative not in current], rows)
    current |= touched.keys()
    kept: dict[str, LoadedFile] = {}
    if current:
        bodies = store.known()
        everything = current if len(current) < len(rows) / 8 else None
        for relative, loaded in store.loaded(everything):
            if relative in current and loaded.article.body_digest in bodies:
                kept[relative] = keep(loaded)
    if touched:  # the store learns their facts now
        refreshed = {relative: replace(kept[relative], facts=touched[relative])
                     for relative in touched if relative in kept}
        kept.update(refreshed)
        store.save_sources(refreshed, started_ns)
    stale = [s.relative for s in sources if s.relative not in kept]
    errors: list[ContentError] = []
    for part in batched(runner.map(_load_batch, config, stale), 256):
        store.add((o.loaded.article.body_digest, o.body) for o in part if o.loaded)
        fresh = {o.relative: o.loaded for o in part if o.loaded}
        store.save_sources(fresh, started_ns)
        kept.update((relative, keep(loaded)) for relative, loaded in fresh.items())
        errors.extend(e for o in part for e in o.errors)
    return kept, errors


def _same_bytes(root: Path, sources: Sequence[Source], rows: Mapping[str, StoredSource]
                ) -> dict[str, FileFacts]:
    """Of the files whose facts changed since they were loaded, those whose bytes did
    not (a fresh clone, a restored backup, `touch`), with their facts now: the store's
    articles are keyed by the digest of the file, so these are not parsed again."""
    same = {}
    for source in sources:
        row = rows.get(source.relative)
        if row is None or not row.photo_is_current():
            continue
        try:
            data = (root / source.relative).read_bytes()
        except OSError:
            continue  # loading it reports why
        if digest(data) == row.content:
            same[source.relative] = source.facts
    return same


def _load_batch(config: Config, relatives: Sequence[str]) -> list[FileOutcome]:
    parser = shared_parser(config.markdown_html)
    root = config.content_dir
    return [_load_file(root / relative, relative, config, parser) for relative in relatives]


def _load_file(path: Path, relative: str, config: Config, parser: MarkdownIt) -> FileOutcome:
    shown = f"content/{relative}"
    errors: list[ContentError] = []
    facts = FileFacts.of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:  # gone since the walk, or not a readable file
        error = ContentError(shown, f"cannot be read: {exc.strerror}")
        return FileOutcome(relative, None, (error,))
    text, problem = _decode(data)
    if problem or facts is None:
        message, line = problem or ("cannot be read", None)
        return FileOutcome(relative, None, (ContentError(shown, message, line=line),))
    try:
        piece = frontmatter_yaml.split(text)
        meta = frontmatter_yaml.parse(piece) if piece.front_matter is not None else None
    except frontmatter_yaml.FrontMatterError as exc:
        return FileOutcome(relative, None, (ContentError(shown, str(exc), line=exc.line),))
    if not isinstance(meta, dict):
        error = ContentError(shown, _no_front_matter(text, meta), line=1)
        return FileOutcome(relative, None, (error,))
    reader = FieldReader(shown, frontmatter_yaml.key_lines(piece), meta, config, errors)
    built = _build_article(reader, relative, piece.body, config, parser)
    if built is None:
        return FileOutcome(relative, None, tuple(errors))
    article, body = built
    depends = _photo_file(article, config)
    # The article's digest and shape are made here, by the loading processes, not by
    # the building one between loading and rendering, while the other cores wait
    # (0.25 s for 10k).
    loaded = LoadedFile(facts, depends, article, tuple(photo_warnings(article)), digest(data),
                        article_digest(article), shape(article.head, depends))
    return FileOutcome(relative, loaded, (), body)


def _photo_file(article: Article, config: Config) -> tuple[tuple[str, FileFacts | None], ...]:
    """The photo file an article was measured from, with its facts."""
    src = article.photo.src if article.photo else None
    if not src or not src.startswith("/"):
        return ()
    file = config.content_dir / unquote(src).lstrip("/")
    return ((str(file), FileFacts.of(file)),)


def _decode(data: bytes) -> tuple[str, tuple[str, int | None] | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        return "", (f"is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8", line)


def _no_front_matter(text: str, meta: object) -> str:
    if not text.strip():
        return "file is empty; an article needs front matter with title, byline and date"
    if meta is None:
        return (
            "no front matter: start the file with a block between --- lines "
            "holding title, byline and date"
        )
    return f"front matter must be 'key: value' lines, got a {type(meta).__name__}"


def _build_article(
    reader: FieldReader, relative: str, body: str, config: Config, parser: MarkdownIt
) -> tuple[Article, str] | None:
    """The article and its body as HTML; None when a field is wrong."""
    title = reader.text("title", required=True)
    bylines = reader.names("byline", required=True)
    published = reader.moment("date", required=True)
    updated = reader.moment("updated")
    section = reader.text("section") or config.default_section
    reader.name_has_url("section", section)
    slug = reader.slug(slug_from_file(relative))
    dek = reader.text("dek")
    publication = reader.text("publication")
    tags = reader.names("tags", allow_string=False)
    photo = reader.photo()
    related = reader.related()
    draft = reader.flag("draft")
    aliases = reader.aliases()
    corrections = reader.corrections()
    if published and updated and updated < published:
        reader.error("updated", "is earlier than date; expected the time of a later revision")
    if not (title and bylines and published and slug) or reader.failed:
        return None
    url = permalink(config.permalink, published, slug, section)
    try:
        urls.file_name(url)
    except ValueError as exc:
        reader.error("slug", f"with the permalink of folio.toml it makes the URL {url}, "
                             f"which {exc}")
        return None
    body_html, first_paragraph = _render(parser, body)
    head = ArticleHead(
        id=relative,
        slug=slug,
        url=url,
        title=title,
        bylines=bylines,
        date=published,
        section=section,
        updated=updated,
        tags=tags,
        photo=photo,
        related=related,
        draft=draft,
        aliases=aliases,
        corrections=corrections,
    )
    article = Article(
        head=head,
        body_digest=digest(body_html),
        summary=dek or first_paragraph,
        dek=dek,
        publication=publication,
        extra={k: v for k, v in reader.meta.items() if k not in KNOWN_FIELDS},
        lines=reader.lines,
    )
    return article, body_html


def slug_from_file(name: str) -> str:
    """The slug of an article file that sets none: its name less a leading date."""
    stem = Path(name).stem
    return slug_of(_DATE_PREFIX.sub("", stem) or stem)  # not cached: each name comes once


def permalink(pattern: str, when: datetime, slug: str, section: str) -> str:
    """An article's URL: `pattern` (config.permalink) filled in."""
    return pattern.format(
        year=f"{when.year:04d}",
        month=f"{when.month:02d}",
        day=f"{when.day:02d}",
        slug=slug,
        section=slugify(section) or "news",
    )


_TAG = re.compile(r"<[^>]+>")


def _render(parser: MarkdownIt, body: str) -> tuple[str, str]:
    """Body HTML and the plain text of its first paragraph."""
    env: dict[str, Any] = {}
    tokens = parser.parse(body, env)
    first = ""
    for opening, inline in pairwise(tokens):
        if opening.type == "paragraph_open" and inline.type == "inline":
            words = [t for t in inline.children or [] if t.type != "footnote_ref"]
            inline_html = parser.renderer.render(words, parser.options, env)
            first = html.unescape(_TAG.sub("", inline_html)).strip()
            break
    return parser.renderer.render(tokens, parser.options, env), first
