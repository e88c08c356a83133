"""Files under `content/` into `Article` values; every mistake collected, none raised alone."""

from __future__ import annotations

import functools
import gettext
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt

from . import frontmatter_yaml, urls
from .config import Config
from .digests import digest
from .errors import ContentError, display_path
from .fields import FieldReader
from .images import photo_warnings, photos_of
from .loaded import LoadedFile, article_digest, shape
from .markdown import STORY, Story, shared_parser
from .model import UNDATED, Article, ArticleHead, pickled_by_fields
from .slugs import slug_of, slugify
from .sources import Asset, FileFacts
from .words import site_words

Words = Callable[[str], gettext.NullTranslations]
"""The theme's words in a language ("" for the site's), read once a loading batch."""
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
        "featured",
        "language",
        "translation_key",
    ]
)

PAGES_FOLDER = "pages/"
"""Where standalone pages (About, Ethics...) are, under content/."""
PAGE_FIELDS = frozenset(
    ["title", "dek", "date", "updated", "slug", "draft", "aliases", "menu", "order", "language",
     "translation_key"])


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


def load_batch(config: Config, relatives: Sequence[str]) -> list[FileOutcome]:
    """The files `relatives` (under content/) loaded: the work of a loading process."""
    parser = shared_parser(config.markdown_html)
    words = functools.cache(lambda language: site_words(config, language).translations)
    root = config.content_dir
    return [_load_file(root / relative, relative, config, parser, words)
            for relative in relatives]


def _load_file(path: Path, relative: str, config: Config, parser: MarkdownIt,
               words: Words) -> FileOutcome:
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
    known = PAGE_FIELDS if relative.startswith(PAGES_FOLDER) else KNOWN_FIELDS
    reader = FieldReader(shown, frontmatter_yaml.key_lines(piece), meta, config, errors, known)
    typos = reader.typos()
    if config.strict:
        errors += [replace(typo, message=f"{typo.message} (strict = true in folio.toml)")
                   for typo in typos]
    body_line = text[: len(text) - len(piece.body)].count("\n") + 1
    built = _build_article(reader, relative, (piece.body, body_line), config, parser, words)
    if built is None or errors:
        return FileOutcome(relative, None, tuple(errors))
    article, body = built
    depends = _image_files(article, config)
    # Digest and shape made here, in the loading processes, not later while other cores wait.
    warnings = (*typos, *photo_warnings(article))
    loaded = LoadedFile(facts, depends, article, warnings, digest(data),
                        article_digest(article), shape(article.head, depends))
    return FileOutcome(relative, loaded, (), body)


def _image_files(article: Article, config: Config) -> tuple[tuple[str, FileFacts | None], ...]:
    """The image files an article was measured from (its photo, its body's), with their facts."""
    photos = photos_of(article)
    sources = dict.fromkeys(p.src for p in photos if p.src and p.src.startswith("/"))
    files = [config.content_dir / unquote(src).lstrip("/") for src in sources]
    return tuple((str(file), FileFacts.of(file)) for file in files)


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
    reader: FieldReader, relative: str, body: tuple[str, int], config: Config,
    parser: MarkdownIt, words: Words,
) -> tuple[Article, str] | None:
    """The article (or standalone page) and its body as HTML; None when a field or the
    body is wrong. `body`: its text and the file line it starts on."""
    standalone = relative.startswith(PAGES_FOLDER)
    dek = reader.text("dek")
    publication = "" if standalone else reader.text("publication")
    head = _page_head(reader, relative) if standalone else _story_head(reader, relative, config)
    story = Story(relative, config, words=words(head.language if head else ""))
    body_html, first_paragraph = render_markdown(parser, body[0], story)
    for line, message in story.problems:
        reader.line_error(body[1] + line, message)
    if head is None or reader.failed:
        return None
    try:
        urls.file_name(head.url)
    except ValueError as exc:
        pattern = "" if standalone else " with the permalink of folio.toml"
        reader.error("slug", f"{pattern} it makes the URL {head.url}, which {exc}".lstrip())
        return None
    article = Article(
        head=head,
        body_digest=digest(body_html),
        summary=dek or first_paragraph,
        dek=dek,
        publication=publication,
        extra={k: v for k, v in reader.meta.items() if k not in reader.known},
        lines=reader.lines,
        images=tuple(story.images),
    )
    return article, body_html


def _story_head(reader: FieldReader, relative: str, config: Config) -> ArticleHead | None:
    title = reader.text("title", required=True)
    bylines = reader.names("byline", required=True)
    published = reader.moment("date", required=True)
    updated = reader.moment("updated")
    section = reader.text("section") or config.default_section
    reader.name_has_url("section", section)
    language = reader.language()
    slug = reader.slug(slug_from_file(relative, language))
    tags = reader.names("tags", allow_string=False)
    photo = reader.photo()
    related = reader.related()
    draft = reader.flag("draft")
    featured = reader.flag("featured")
    aliases = reader.aliases()
    corrections = reader.corrections()
    if published and updated and updated < published:
        reader.error("updated", "is earlier than date; expected the time of a later revision")
    if not (title and bylines and published and slug):
        return None
    return ArticleHead(
        id=relative,
        slug=slug,
        url=urls.in_language(language, permalink(config.permalink, published, slug, section)),
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
        date_only=reader.day_only("date"),
        featured=featured,
        language=language,
        translation_key=reader.translation_key(),
    )


def _page_head(reader: FieldReader, relative: str) -> ArticleHead | None:
    """A standalone page: /<slug>/, with no byline, section, tags or photo."""
    title = reader.text("title", required=True)
    language = reader.language()
    slug = reader.slug(slug_from_file(relative, language))
    published = reader.moment("date")
    updated = reader.moment("updated")
    draft = reader.flag("draft")
    aliases = reader.aliases()
    in_menu = reader.flag("menu")
    order = reader.number("order")
    if not (title and slug):
        return None
    return ArticleHead(
        id=relative,
        slug=slug,
        url=urls.in_language(language, f"/{slug}/"),
        title=title,
        bylines=(),
        date=published or UNDATED,
        section="",
        updated=updated,
        draft=draft,
        aliases=aliases,
        standalone=True,
        menu=order if in_menu else None,
        language=language,
        translation_key=reader.translation_key(),
    )


def slug_from_file(name: str, language: str = "") -> str:
    """The slug of an article file that sets none: its name less a leading date and less
    the `language` it ends with, as translations are often named (`talks.fr.md`)."""
    stem = Path(name).stem
    if language and Path(stem).suffix.lower() == f".{language}":
        stem = Path(stem).stem
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


def render_markdown(parser: MarkdownIt, body: str, story: Story | None = None
                    ) -> tuple[str, str]:
    """Body HTML and the plain text of its first paragraph that has some. With the
    `story` the body belongs to, its images are measured and its problems noted there."""
    env: dict[str, Any] = {STORY: story} if story else {}
    tokens = parser.parse(body, env)
    first = ""
    for opening, inline in pairwise(tokens):
        if opening.type == "paragraph_open" and inline.type == "inline":
            words = [t for t in inline.children or [] if t.type not in ("footnote_ref", "image")]
            inline_html = parser.renderer.render(words, parser.options, env)
            first = html.unescape(_TAG.sub("", inline_html)).strip()
            if first:
                break
    return parser.renderer.render(tokens, parser.options, env), first
