"""Author profiles: `content/authors/<slug>.md` files and `[authors.<slug>]` tables.

A profile belongs to the byline whose URL part is its slug (the file's name, or
the table's). Pages get profiles as plain values in their context, so a page's
key covers every profile it shows and an edited profile re-renders exactly the
author page and the stories that show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from . import frontmatter_yaml, urls
from .archive import Term
from .config import CONFIG_FILE, AuthorTable, Config
from .content import render_markdown
from .errors import ContentError, field_error
from .fields import FieldReader, describe
from .markdown import shared_parser
from .model import Photo, pickled_by_fields
from .slugs import slugify
from .sources import Source

KEYS = ("name", "role", "bio", "photo", "links")
"""What a profile may say."""
SERVICES = {
    "website": "Website", "email": "Email", "twitter": "Twitter", "x": "X",
    "mastodon": "Mastodon", "bluesky": "Bluesky", "threads": "Threads",
    "instagram": "Instagram", "facebook": "Facebook", "linkedin": "LinkedIn",
    "github": "GitHub", "youtube": "YouTube", "rss": "RSS",
}  # fmt: skip
"""Labels of the services a `links` map may name; another name is its own label."""
PORTRAIT_WIDTHS = (128, 256, 512)
"""Widths of the copies of a profile's photo, shown 4 to 7 rem wide (`image_widths` is
for photos as wide as a page)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ProfileLink:
    """One of an author's links."""

    label: str
    """Link text: "Mastodon", "Website", or the label given."""
    url: str
    """An http(s) address, or mailto: for an email address."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Profile:
    """An author as pages show them: all a template prints, so page keys cover it."""

    slug: str
    """The byline's URL part: /authors/<slug>/."""
    name: str
    """The name given, else the byline's name as most stories spell it."""
    url: str
    """Site path of the author page."""
    role: str
    """Job title or beat, e.g. "Middle East correspondent"; may be empty."""
    bio: str
    """The biography as HTML (Markdown rendered); may be empty."""
    summary: str
    """The biography's first paragraph as plain text: the byline box under a story."""
    photo: Photo | None
    """A portrait, measured like a story's lead photo."""
    links: tuple[ProfileLink, ...]
    """Elsewhere on the web, in the order given."""

    @property
    def same_as(self) -> tuple[str, ...]:
        """The http(s) links: schema.org `sameAs`."""
        return tuple(link.url for link in self.links if link.url.startswith(("http:", "https:")))


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    """A profile with where it was written, for errors and warnings."""

    profile: Profile
    source: str
    """content/authors/<slug>.md, or folio.toml."""
    table: str | None
    """"authors.<slug>" for a table of folio.toml, whose keys are its fields."""
    line: int | None
    """Line of the table's header; None for a file."""
    lines: Mapping[str, int]
    """Line of each key, for errors."""

    @property
    def photo(self) -> Photo | None:
        return self.profile.photo

    @property
    def images(self) -> tuple[Photo, ...]:
        """A biography's images are not measured: it has no file of its own to be beside."""
        return ()

    def error(self, field: str, message: str) -> ContentError:
        """A problem with one of the profile's fields, pointing at its line."""
        return self.named(field_error(self.source, self.lines, field, message))

    def named(self, error: ContentError) -> ContentError:
        return error if self.table is None else _in_table(self.table, self.line, error)

    def problem(self, message: str) -> ContentError:
        """A problem with the profile as a whole."""
        return ContentError(self.source, message, self.line, self.table)


def load_profiles(config: Config, sources: Sequence[Source]
                  ) -> tuple[dict[str, LoadedProfile], list[ContentError]]:
    """Every profile by slug: the files of content/authors/, then folio.toml's tables;
    with every mistake in them."""
    found: dict[str, LoadedProfile] = {}
    errors: list[ContentError] = []
    parser = shared_parser(config.markdown_html)
    candidates = [_from_file(config, source.relative, parser, errors) for source in sources]
    candidates += [_from_table(config, table, parser, errors) for table in config.authors]
    for loaded in filter(None, candidates):
        slug = loaded.profile.slug
        if slug in found:
            errors.append(loaded.problem(f"a second profile of {slug!r}, already given by "
                                         f"{found[slug].source}; keep one"))
        else:
            found[slug] = loaded
    return found, errors


def _from_file(config: Config, relative: str, parser: MarkdownIt, errors: list[ContentError]
               ) -> LoadedProfile | None:
    shown = f"content/{relative}"
    path = config.content_dir / relative
    try:
        text = path.read_bytes().decode("utf-8-sig")
        piece = frontmatter_yaml.split(text)
        meta = frontmatter_yaml.parse(piece) if piece.front_matter is not None else {}
    except OSError as exc:
        errors.append(ContentError(shown, f"cannot be read: {exc.strerror}"))
        return None
    except UnicodeDecodeError:
        errors.append(ContentError(shown, "is not UTF-8 text; save it as UTF-8"))
        return None
    except frontmatter_yaml.FrontMatterError as exc:
        errors.append(ContentError(shown, str(exc), line=exc.line))
        return None
    if not isinstance(meta, dict):
        errors.append(ContentError(shown, f"front matter must be 'key: value' lines, got "
                                          f"{describe(meta)}", line=1))
        return None
    slug = slugify(PurePosixPath(relative).stem)
    if not slug:
        errors.append(ContentError(shown, "the file name has no letters or digits; name it "
                                          "after the byline, e.g. jane-doe.md"))
        return None
    reader = FieldReader(shown, frontmatter_yaml.key_lines(piece), meta, _portraits(config),
                         errors)
    profile = _read(reader, slug, piece.body, parser)
    return LoadedProfile(profile, shown, None, None, reader.lines) if profile else None


def _from_table(config: Config, table: AuthorTable, parser: MarkdownIt, errors: list[ContentError]
                ) -> LoadedProfile | None:
    name = f"authors.{table.slug}"
    found: list[ContentError] = []
    reader = FieldReader(CONFIG_FILE, table.lines, dict(table.values), _portraits(config), found)
    profile = _read(reader, table.slug, "", parser)
    errors.extend(_in_table(name, table.line, error) for error in found)
    return LoadedProfile(profile, CONFIG_FILE, name, table.line, table.lines) if profile else None


def _portraits(config: Config) -> Config:
    """`config` as reading a profile uses it: a photo's copies are made for a portrait."""
    return replace(config, image_widths=PORTRAIT_WIDTHS)


def _in_table(table: str, line: int | None, error: ContentError) -> ContentError:
    """`error`, about a field of a profile, with the field named as a key of `table`."""
    return replace(error, field=f"{table}.{error.field}" if error.field else table,
                   line=error.line or line)


def _read(reader: FieldReader, slug: str, body: str, parser: MarkdownIt) -> Profile | None:
    for key in reader.meta:
        if key not in KEYS:
            reader.error(key, f"unknown key; a profile takes {', '.join(KEYS)}")
    name = reader.text("name")
    role = reader.text("role")
    bio_text = reader.text("bio")
    if bio_text and body.strip():
        reader.error("bio", "the biography is also written below the front matter; keep one")
    photo = reader.photo()
    links = _links(reader)
    if reader.failed:
        return None
    written = bio_text or body
    bio, summary = render_markdown(parser, written) if written.strip() else ("", "")
    return Profile(slug, name, urls.author_url(slug), role, bio, summary, photo, links)


def _links(reader: FieldReader) -> tuple[ProfileLink, ...]:
    value = reader.meta.get("links")
    if value is None:
        return ()
    entries: list[tuple[str, str, Any] | None]
    if isinstance(value, dict):
        entries = [(f"links.{key}", SERVICES.get(str(key).lower(), str(key)), url)
                   for key, url in value.items()]
    elif isinstance(value, list):
        entries = [_entry(reader, f"links[{i}]", item) for i, item in enumerate(value)]
    else:
        reader.error("links", "expected a list of label: and url: entries, or service: address "
                              f"lines such as mastodon: https://..., got {describe(value)}")
        return ()
    found = []
    for field, label, url in filter(None, entries):
        address = _address(reader, field, label, url)
        if address:
            found.append(ProfileLink(label, address))
    return tuple(found)


def _entry(reader: FieldReader, field: str, item: Any) -> tuple[str, str, Any] | None:
    if not isinstance(item, dict) or set(item) != {"label", "url"}:
        reader.error(field, f"expected label: and url:, got {describe(item)}")
        return None
    label = reader.text_of(f"{field}.label", item["label"], required=True)
    return (f"{field}.url", label, item["url"]) if label else None


def _address(reader: FieldReader, field: str, label: str, url: Any) -> str | None:
    """`url` if it is an http(s) address (or an email address, made a mailto: link)."""
    text = reader.text_of(field, url, required=True)
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    if parts.scheme == "mailto" and "@" in text:
        return text
    if label == "Email" and "@" in text and ":" not in text and "/" not in text:
        return f"mailto:{text}"
    if text:
        reader.error(field, f"expected an http(s) address such as https://example.org/, "
                            f"or mailto:name@example.org, got {text!r}")
    return None


def shown_profiles(profiles: Mapping[str, LoadedProfile], authors: Mapping[str, Term]
                   ) -> tuple[dict[str, Profile], list[ContentError]]:
    """The profiles of authors with published stories, each named; warnings for the others."""
    shown = {}
    warnings = []
    for slug, loaded in profiles.items():
        term = authors.get(slug)
        if term is None:
            warnings.append(loaded.problem(
                f"no published story has a byline whose URL part is {slug!r}, so the profile "
                "is not shown; check the spelling of the file name or table"))
        else:
            profile = loaded.profile
            shown[slug] = replace(profile, name=profile.name or term.name)
    return shown, warnings


def of_bylines(bylines: Iterable[str], profiles: Mapping[str, Profile]) -> tuple[Profile, ...]:
    """The profiles of `bylines` that have one, in byline order."""
    found = (profiles.get(slugify(name)) for name in bylines)
    return tuple(profile for profile in found if profile)
