"""Stories into Markdown files, never over an existing one.

A story goes to `INTO/<year>/<slug>.md` with YAML front matter that Folio's
own loader accepts, and its images (see `images`) to `INTO/<year>/<slug>/`.
Slugs are unique across the site (Folio requires it): a slug already used by
another file gets `-2`, `-3`, ... (or the story is skipped, with
`--on-conflict skip`). A file identical to the one a story would write is left
alone and reported unchanged, which makes importing the same source twice a
no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal

import yaml

from ..site import frontmatter_yaml, urls
from ..site.config import Config
from ..site.content import PAGE_FIELDS, PAGES_FOLDER, permalink, slug_from_file
from ..site.slugs import is_valid_slug
from .images import Shelf
from .story import Refused, Story

Status = Literal["imported", "unchanged", "skipped"]
FOLIO_PATHS = frozenset(["archive", "authors", "corrections", "page", "pagefind", "search",
                         "sections", "tags"])
"""First parts of the URLs of Folio's own pages, which a standalone page cannot take."""


class _Dumper(yaml.SafeDumper):
    """yaml.safe_dump's dumper, writing times as plain ISO 8601 with their offset."""


def _timestamp(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _clock(dumper: yaml.SafeDumper, value: time) -> yaml.ScalarNode:
    return dumper.represent_str(value.isoformat())


_Dumper.add_representer(datetime, _timestamp)
_Dumper.add_representer(time, _clock)


def render(story: Story, slug: str, config: Config) -> str:
    """The Markdown file of `story` when its slug is `slug`."""
    meta = yaml.dump(
        front_matter(story, slug, config), Dumper=_Dumper, sort_keys=False, allow_unicode=True
    )
    body = story.body.strip("\n")
    return f"---\n{meta}---\n\n{body}\n" if body else f"---\n{meta}---\n"


def front_matter(story: Story, slug: str, config: Config) -> dict[str, Any]:
    """Folio's fields in the order docs/front-matter.md lists them, then the source's own keys
    (a standalone page's fields only: it shows no byline, section, tags or photo)."""
    url = article_url(config, story, slug)
    language = _language(story, config)
    meta: dict[str, Any] = {
        "title": story.title,
        "dek": story.dek,
        "byline": list(story.bylines),
        "date": story.date.date() if story.date_only else story.date,
        "updated": story.updated,
        "section": story.section,
        "publication": story.publication,
        "tags": list(story.tags),
        "photo": story.photo and _given(
            src=story.photo.src, alt=story.photo.alt,
            caption=story.photo.caption, credit=story.photo.credit,
        ),
        "related": [_given(title=link.title, url=link.url) for link in story.related],
        "slug": slug if slug_from_file(file_name(slug, language), language) != slug else None,
        "draft": story.draft,
        "aliases": [alias for alias in story.aliases if urls.fold(alias) != urls.fold(url)],
        "language": story.language,
        "translation_key": story.translation_key,
    }
    kept = {key: value for key, value in meta.items()
            if value and (not story.page or key in PAGE_FIELDS)}
    return {**kept, **story.extra}


def _language(story: Story, config: Config) -> str:
    return urls.language_key(story.language or config.language, config.language)


def _given(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


def article_url(config: Config, story: Story, slug: str) -> str:
    """The URL Folio will give the story (or standalone page)."""
    language = _language(story, config)
    if story.page:
        return urls.in_language(language, f"/{slug}/")
    return urls.in_language(language, permalink(
        config.permalink, story.date, slug, story.section or config.default_section))


def in_old_case(story: Story | Refused, config: Config) -> Story | Refused:
    """`story` with its slug spelled as its old URL spelled it when the two URLs differ
    in case alone (/2015/02/25/We-Are-Hiring/): one file cannot serve both spellings on
    hosts that ignore case, and the old one must keep working where case matters."""
    if isinstance(story, Refused):
        return story
    url = article_url(config, story, story.slug)
    for alias in story.aliases:
        last = alias.rstrip("/").rsplit("/", 1)[-1]
        if (alias != url and urls.fold(alias) == urls.fold(url) and is_valid_slug(last)
                and urls.fold(last) == urls.fold(story.slug)):
            return replace(story, slug=last)
    return story


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a story went, or why it went nowhere."""

    status: Status
    """imported (written, or would be in a dry run), unchanged or skipped."""
    path: Path
    """The file written, found identical, or (skipped) the one already using the slug."""
    copied: tuple[Path, ...] = ()
    """Images of the story copied beside it (or that would be, in a dry run)."""
    body_line: int = 0
    """The file's line where the body starts."""


class Placer:
    """Chooses each story's file for one import run, remembering what the run has claimed."""

    def __init__(self, into: Path, config: Config, *, suffix: bool, dry_run: bool) -> None:
        self.into = into
        self.config = config
        self.suffix = suffix
        self.dry_run = dry_run
        self.claimed: dict[Path, bytes] = {}
        inside = into.resolve().is_relative_to(config.content_dir.resolve())
        self.pages = (config.content_dir if inside else into) / PAGES_FOLDER
        self.slugs = existing_slugs([config.content_dir] if inside else [config.content_dir, into],
                                    config.language)
        self.shelf = Shelf(config.content_dir, config.base_path, dry_run=dry_run)

    def place(self, story: Story) -> Placement:
        number = 1
        while True:
            slug = story.slug if number == 1 else f"{story.slug}-{number}"
            language = _language(story, self.config)
            path = (self.pages if story.page else self.into / f"{story.date.year:04d}"
                    ) / file_name(slug, language)
            shown, copies = self.shelf.place(story, path.with_suffix(""))
            data = render(shown, slug, self.config).encode("utf-8")
            existing = self._contents(path)
            if existing == data:
                self.shelf.copy(copies)
                return Placement("unchanged", path, tuple(target for _, target in copies),
                                 _body_line(data))
            holder = path if existing is not None else self.slugs.get(f"{language}/{slug}")
            if holder is None and story.page and (slug in FOLIO_PATHS or slug.isdigit()):
                holder = path  # /tags/, /2015/: Folio's own pages
            if holder is None:
                self.shelf.copy(copies)
                return self._write(path, f"{language}/{slug}", data,
                                   tuple(target for _, target in copies))
            if not self.suffix:
                return Placement("skipped", holder)
            number += 1

    def _contents(self, path: Path) -> bytes | None:
        if path in self.claimed:
            return self.claimed[path]
        return path.read_bytes() if path.is_file() else None

    def _write(self, path: Path, claim: str, data: bytes, copied: tuple[Path, ...]) -> Placement:
        """`claim`: the language and slug the file takes (a slug is unique in a language)."""
        self.claimed[path] = data
        self.slugs[claim] = path
        if not self.dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as file:
                file.write(data)
        return Placement("imported", path, copied, _body_line(data))


def _body_line(data: bytes) -> int:
    """The line after the front matter and the blank line `render` writes."""
    return data[: data.index(b"\n---\n", 3)].count(b"\n") + 4


def file_name(slug: str, language: str) -> str:
    """The file of a story: `slug.md`, or `slug.fr.md` in another language than the site's,
    beside a translation that keeps the slug."""
    return f"{slug}.{language}.md" if language else f"{slug}.md"


def existing_slugs(roots: list[Path], site_language: str) -> dict[str, Path]:
    """The language and slug (`fr/slug`, `/slug` in the site's own language) of every
    Markdown file under `roots`, as Folio will read them."""
    slugs: dict[str, Path] = {}
    for root in roots:
        for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
            if not any(part.startswith(".") for part in path.relative_to(root).parts):
                slugs.setdefault(_slug_of(path, site_language), path)
    return slugs


def _slug_of(path: Path, site_language: str) -> str:
    try:
        piece = frontmatter_yaml.split(path.read_text(encoding="utf-8-sig"))
        meta = frontmatter_yaml.parse(piece) if piece.front_matter is not None else None
    except (OSError, UnicodeDecodeError, frontmatter_yaml.FrontMatterError):
        meta = None
    slug = meta.get("slug") if isinstance(meta, dict) else None
    tag = meta.get("language") if isinstance(meta, dict) else None
    language = urls.language_key(tag, site_language) if isinstance(tag, str) and tag else ""
    named = (slug if isinstance(slug, str) and is_valid_slug(slug)
             else slug_from_file(path.name, language))
    return f"{language}/{named}"
