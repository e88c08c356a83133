"""Content folders of other generators (Jekyll, Hugo, Eleventy, Pelican) into drafts.

Front matter is YAML between `---` lines, TOML between `+++` lines, or (Pelican)
`Key: value` lines up to the first blank line. Keys are matched in any case
and the common names of each generator are renamed to Folio's; keys Folio does
not know are kept. The date comes from front matter or from a file name such
as `2015-9-18-slug.md`; a file with no date is not a story and is skipped.
Raw HTML in the Markdown is cleaned by `sanitize`.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ..site import frontmatter_yaml
from .code import code_lines
from .report import OLD_URL_NOT_COMPUTED
from .sanitize import clean_markdown, left_out_warning
from .source_site import (
    NotComputed,
    SourceSite,
    language_of,
    old_path,
    read_source_site,
    stem_of,
    translation_path,
)
from .sources import read_utf8, walk
from .story import Draft, FileReader, Item, ReadOptions, Story, failed, skipped
from .templates import Links, Templates, translate

SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")

RENAMES = {
    "deck": "dek", "subtitle": "dek", "description": "dek", "summary": "dek", "excerpt": "dek",
    "kicker": "section", "categories": "section", "category": "section",
    "author": "byline", "authors": "byline",
    "image": "photo", "images": "photo", "featured_image": "photo", "primary_image": "photo",
    "redirect_from": "aliases",
    "lastmod": "updated", "last_modified_at": "updated", "modified": "updated",
    "publishdate": "date",
    "translationkey": "translation_key", "lang": "language",
}
"""Source key (lower case) to Folio field, used when the source does not set that field itself;
of two keys for one field, the first that is not empty (`deck: ""` gives way to `summary`)."""

PHOTO_TEXTS = {
    "image-alt": "alt", "image_alt": "alt", "alt": "alt",
    "image-caption": "caption", "image_caption": "caption",
    "image-credit": "credit", "image_credit": "credit",
}
"""Keys (lower case) of the lead photo's alt text, caption and credit beside its `image`."""

LINK_KEYS = ("source_url", "link", "external_url", "link_url")
"""Keys of a link post's outside URL, which becomes its body when it has none."""

DEFAULT_TAXONOMIES = ("topics",)
"""Front matter keys read as tags besides `tags` when the site's configuration names none."""

FOLIO_FIELDS = frozenset(["tags", "section", "byline"])
"""Taxonomies Folio reads as its own fields, not merged into tags."""

OLD_URL_KEYS = ("permalink", "url")
"""Keys holding the story's own old path, which becomes an alias."""

ELEVENTY_DATE_WORDS = frozenset(["last modified", "created", "git last modified", "git created"])
"""Eleventy dates that mean "from the file system": not in the source, so not a date."""

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_INLINE = MarkdownIt("commonmark")
"""Liquid and Nunjucks tags and output, and Hugo shortcodes ({{< >}} and {{% %}})."""

_LINE_TAG = re.compile(r"^(?P<lead>[ \t]{0,3}(?:(?:[-*+]|\d+[.)])[ \t]+|>[ \t]?)*)(?=\{[{%])")
_TOML = re.compile(r"\A\+\+\+[ \t]*\r?\n(?P<meta>.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.M | re.S)
_HEADER = re.compile(r"^(?P<key>[A-Za-z][\w-]*):[ \t]*(?P<value>.*)$")
_DATED_NAME = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:-(?P<rest>.*))?$")
_AUTHOR_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_AUTHOR_NAME_KEYS = ("name", "display_name", "full_name", "title")
_DATA_SUFFIXES = (".yml", ".yaml", ".toml", ".json")


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one generator writes what Folio reads the same way for all."""

    word_lists: bool
    """A tags or categories string is a list separated by spaces (Jekyll), not by commas."""
    headers: bool
    """A file may start with `Key: value` lines instead of fenced front matter (Pelican)."""
    templates: Templates
    """The template language its Markdown went through: other braces were text."""


DIALECTS = {
    "jekyll": Dialect(word_lists=True, headers=False, templates="liquid"),
    "hugo": Dialect(word_lists=False, headers=False, templates="hugo"),
    "eleventy": Dialect(word_lists=False, headers=False, templates="liquid"),
    "pelican": Dialect(word_lists=False, headers=True, templates=None),
}


def opener(name: str) -> Callable[[Path, ReadOptions], FileReader]:
    """The reader factory of one generator's folders."""

    def open_root(root: Path, options: ReadOptions) -> FileReader:
        authors = author_names(root)
        site = read_source_site(name, root)
        return partial(read, dialect=DIALECTS[name], options=options, authors=authors,
                       site=site)

    return open_root


def files(name: str) -> Callable[[Path, tuple[str, ...]], Iterator[Path]]:
    """The files of one generator's SOURCE: at a site's root, those of its content
    folders; else every file under SOURCE."""

    def found(source: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
        site = read_source_site(name, source)
        folders = dict.fromkeys(root.folder for root in site.roots) if site else [source]
        for folder in folders:  # languages may share one
            yield from walk(folder, suffixes)

    return found


def read(
    path: Path, source: str, *, dialect: Dialect, options: ReadOptions,
    authors: Mapping[str, str], site: SourceSite | None = None,
) -> Iterator[Item]:
    if path.name.startswith("_index."):  # _index.md, _index.fr.md
        yield skipped(source, "a list page (_index.md), not a story")
        return
    text, problem = read_utf8(path)
    if problem:
        yield failed(source, problem)
        return
    try:
        meta, body = split(text, dialect)
    except ValueError as exc:
        yield failed(source, str(exc))
        return
    if meta is None:
        yield skipped(source, "no front matter, so not a story")
        return
    taxonomies = site.taxonomies if site else DEFAULT_TAXONOMIES
    named = path.with_name(stem_of(site, path) + path.suffix) if site else path  # post.fr.md
    draft = _draft(named, source, meta, body, dialect, options, authors, taxonomies)
    yield _with_site(draft, site, path, _lower_keys(meta)) if site else draft


def split(text: str, dialect: Dialect) -> tuple[dict[str, Any] | None, str]:
    """Front matter and body; None when the file has none; ValueError when it is broken."""
    if text.startswith("+++"):
        return _toml(text)
    if text.lstrip().startswith("---"):
        return _yaml(text)
    if dialect.headers and _HEADER.match(text.split("\n", 1)[0]):
        return _headers(text)
    return None, text


def _yaml(text: str) -> tuple[dict[str, Any] | None, str]:
    try:
        piece = frontmatter_yaml.split(text)
        meta = frontmatter_yaml.parse(piece) if piece.front_matter is not None else None
    except frontmatter_yaml.FrontMatterError as exc:
        raise ValueError(f"line {exc.line}: {exc}" if exc.line else str(exc)) from None
    if meta is None:
        return None, piece.body
    if not isinstance(meta, dict):
        raise ValueError("front matter must be 'key: value' lines")
    return {str(k): v for k, v in meta.items()}, piece.body


def _toml(text: str) -> tuple[dict[str, Any], str]:
    match = _TOML.match(text)
    if match is None:
        raise ValueError("front matter opened with +++ but never closed")
    try:
        return tomllib.loads(match["meta"]), text[match.end():]
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the TOML between the +++ lines is not valid: {exc}") from None


def _headers(text: str) -> tuple[dict[str, Any], str]:
    """Pelican's `Key: value` lines; a line indented by four spaces continues the one before."""
    meta: dict[str, Any] = {}
    lines = text.split("\n")
    key = ""
    for number, line in enumerate(lines):
        header = _HEADER.match(line)
        if header:
            key = header["key"]
            meta[key] = header["value"].strip()
        elif key and line.startswith("    ") and line.strip():
            meta[key] = f"{meta[key]} {line.strip()}"
        else:
            return meta, "\n".join(lines[number:])
    return meta, ""


def _draft(
    path: Path,
    source: str,
    meta: dict[str, Any],
    body: str,
    dialect: Dialect,
    options: ReadOptions,
    authors: Mapping[str, str],
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES,
) -> Draft:
    warnings: list[str] = []
    lowered = _lower_keys(meta)
    fields = _renamed(lowered, options.field_map)
    _apply_flags(fields)
    _apply_photo_texts(fields)
    _apply_old_urls(fields)
    _apply_taxonomies(fields, taxonomies)
    if dialect.word_lists:
        for name in ("tags", "section"):
            if isinstance(fields.get(name), str) and "," not in fields[name]:
                fields[name] = fields[name].split()
    _apply_file_name(fields, path, warnings)
    fields["byline"] = _authors(fields.get("byline"), authors, warnings)
    if isinstance(fields.get("dek"), str):
        fields["dek"] = inline_text(fields["dek"])
    return Draft(source, fields, body.strip("\n") or _link_body(fields), tuple(warnings),
                 meta=lowered)


def finisher(dialect: Dialect) -> Callable[[Draft, Story, Links], Story]:
    """What finishes the stories of one generator."""
    return partial(finish, templates=dialect.templates)


def finish(draft: Draft, story: Story, links: Links, *, templates: Templates) -> Story:
    """The body with its template code translated and its raw HTML cleaned."""
    translation = translate(draft.body, draft.meta, links, templates)
    cleaned, left_out = clean_markdown(escape_line_tags(translation.body))
    lost = left_out_warning(left_out)
    warnings = [*translation.warnings, *([lost] if lost else [])]
    if translation.placeholders:
        names = ", ".join(dict.fromkeys(translation.placeholders))
        warnings.append(
            f"{len(translation.placeholders)} template tag(s) shown as a placeholder: {names}"
        )
    return replace(
        story, body=cleaned, placeholders=translation.placeholders,
        warnings=story.warnings + tuple(warnings), html=carries_html(cleaned),
    )


def inline_text(markdown: str) -> str:
    """A dek as its reader sees it: Markdown and entities rendered, as plain text."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", _INLINE.renderInline(markdown))).split())


def carries_html(markdown: str) -> bool:
    """The Markdown holds raw HTML outside code."""
    return any(
        token.type == "html_block"
        or any(child.type == "html_inline" for child in token.children or ())
        for token in _INLINE.parse(markdown)
    )


def _link_body(fields: Mapping[str, Any]) -> str:
    """A link post's body: its link, which the source's theme showed in place of one."""
    url = next((fields[key] for key in LINK_KEYS if isinstance(fields.get(key), str)), "")
    return f"<{url.strip()}>" if re.match(r"https?://\S+$", url.strip()) else ""


def _with_site(draft: Draft, site: SourceSite, path: Path, meta: Mapping[str, Any]) -> Draft:
    """`draft` in its language, with the path the old site gave it among its aliases
    (or a warning saying why it is not known)."""
    draft = replace(draft, language=language_of(site, path))
    if draft.language and not draft.fields.get("translation_key"):
        # Hugo's way: one path under each language's folder is one story, translated.
        draft = replace(draft, fields={**draft.fields,
                                       "translation_key": translation_path(site, path)})
    try:
        old = old_path(site, path, meta)
    except NotComputed as exc:
        return replace(draft, warnings=(*draft.warnings, f"{OLD_URL_NOT_COMPUTED}{exc}"))
    aliases = draft.fields.get("aliases")
    known = list(aliases) if isinstance(aliases, list) else [] if aliases is None else [aliases]
    if old in known:
        return draft
    return replace(draft, fields={**draft.fields, "aliases": [*known, old]})


def escape_line_tags(body: str) -> str:
    """`\\{% tag %}` for a template tag that opens a line outside code.

    Folio reads a line starting with `{` as a block of {attributes} and drops
    it from the page; the backslash makes Markdown show the brace instead.
    """
    code = code_lines(body)
    return "\n".join(
        line if number in code else _LINE_TAG.sub(r"\g<lead>\\", line)
        for number, line in enumerate(body.split("\n"))
    )


def _lower_keys(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Keys in lower case ("Title" -> "title"); of two that differ only in case, the first."""
    lowered: dict[str, Any] = {}
    for key, value in meta.items():
        lowered.setdefault(key if key.lower() in lowered else key.lower(), value)
    return lowered


def _renamed(meta: Mapping[str, Any], field_map: Mapping[str, str]) -> dict[str, Any]:
    """`--map` renames first, then Folio's own names, then RENAMES for fields still unset."""
    mapped = {field_map.get(key, key): value for key, value in meta.items()}
    fields = {key: value for key, value in mapped.items() if key not in RENAMES}
    for key in (key for key in RENAMES if key in mapped):
        if RENAMES[key] in fields or _empty(mapped[key]):
            fields[key] = mapped[key]
        else:
            fields[RENAMES[key]] = mapped[key]
    return fields


def _empty(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _apply_flags(fields: dict[str, Any]) -> None:
    """`published: false` and Pelican's `status: draft` (or hidden) mean a draft."""
    published = fields.pop("published", None)
    if published is False or str(published).lower() == "false":
        fields.setdefault("draft", True)
    elif published is not None:
        fields["published"] = published
    status = fields.get("status")
    if isinstance(status, str) and status.lower() in ("draft", "hidden"):
        fields.setdefault("draft", True)


def _apply_photo_texts(fields: dict[str, Any]) -> None:
    """`image-alt:` and the like join the photo they describe (`image:` or the first of
    `images:`); the photo's own `alt` wins."""
    photo = fields.get("photo")
    first = photo[0] if isinstance(photo, list) and photo else photo
    if not isinstance(first, str | dict) or not first:
        return
    texts: dict[str, str] = {}
    for key, part in PHOTO_TEXTS.items():
        if isinstance(fields.get(key), str) and fields[key].strip():
            texts.setdefault(part, fields.pop(key))
    if not texts:
        return
    joined = {**texts, "src": first} if isinstance(first, str) else {**texts, **first}
    fields["photo"] = [joined, *photo[1:]] if isinstance(photo, list) else joined


def _apply_old_urls(fields: dict[str, Any]) -> None:
    aliases = fields.get("aliases")
    found = list(aliases) if isinstance(aliases, list) else [] if aliases is None else [aliases]
    for key in OLD_URL_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and "://" not in value and not TEMPLATE_TAG.search(value):
            found.append(fields.pop(key))
    if found:
        fields["aliases"] = found


def _apply_taxonomies(fields: dict[str, Any], taxonomies: tuple[str, ...]) -> None:
    """The terms of the old site's other taxonomies (`topics`, ...) become tags too."""
    for key in taxonomies:
        terms = fields.pop(key, None) if key not in FOLIO_FIELDS else None
        if isinstance(terms, str):
            terms = [term.strip() for term in terms.split(",")]
        if isinstance(terms, list) and terms:
            tags = fields.get("tags")
            known = tags.split(",") if isinstance(tags, str) else list(tags or [])
            fields["tags"] = [*known, *terms]


def _apply_file_name(fields: dict[str, Any], path: Path, warnings: list[str]) -> None:
    """Date and slug from `2015-9-18-slug.md`, or slug from the folder of an `index.md`."""
    stem = path.parent.name if path.stem == "index" else path.stem
    dated = _DATED_NAME.match(stem)
    value = fields.get("date")
    if isinstance(value, str) and value.strip().lower() in ELEVENTY_DATE_WORDS:
        warnings.append(f"date: {value!r} names no date in the source; used the file name's")
        del fields["date"]
    if dated and fields.get("date") is None:
        fields["date"] = date(int(dated["year"]), int(dated["month"]), int(dated["day"]))
    fields.setdefault("slug", (dated["rest"] if dated else stem) or stem)


def _authors(value: Any, authors: Mapping[str, str], warnings: list[str]) -> Any:
    """Author slugs resolved through the site's authors data file, or spelled out."""
    items = value if isinstance(value, list) else None if value is None else [value]
    if items is None or not all(isinstance(item, str) for item in items):
        return value
    names = []
    for item in items:
        name = authors.get(item.strip())
        if name is None and _AUTHOR_SLUG.match(item.strip()):
            name = re.sub(r"[-_]", " ", item.strip()).title()
            warnings.append(f"byline: {item!r} is a slug no authors file names; wrote {name!r}")
        names.append(name or item)
    return names


def author_names(root: Path) -> dict[str, str]:
    """Display names by author key: `_data/authors.*`, `data/authors.*`, `data/authors/*`
    or the title of Hugo's `content/authors/<key>/_index.md`."""
    names: dict[str, str] = {}
    for base in [root, *list(root.parents)[:2]]:
        for page in sorted((base / "content" / "authors").glob("*/_index.md")):
            text, problem = read_utf8(page)
            with contextlib.suppress(ValueError):
                meta, _ = split(text, DIALECTS["hugo"]) if not problem else (None, "")
                if meta and isinstance(meta.get("title"), str):
                    names.setdefault(page.parent.name, meta["title"])
        for data in (base / "_data", base / "data"):
            for path in _data_files(data):
                for key, entry in _load_data(path, data).items():
                    name = _author_name(entry)
                    if name:
                        names.setdefault(str(key), name)
    return names


def author_entries(base: Path) -> Iterator[dict[Any, Any]]:
    """The authors of the data files under `base` (`_data/authors.*`, `data/authors/*`)
    that are tables of keys (name, bio, ...)."""
    for data in (base / "_data", base / "data"):
        for path in _data_files(data):
            yield from (e for e in _load_data(path, data).values() if isinstance(e, dict))


def _data_files(data: Path) -> list[Path]:
    files = [data / f"authors{suffix}" for suffix in _DATA_SUFFIXES]
    folder = data / "authors"
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix in _DATA_SUFFIXES)
    return [path for path in files if path.is_file()]


def _load_data(path: Path, data: Path) -> Mapping[Any, Any]:
    """An authors file: key -> entry, or one author (a file in an authors/ folder) by stem."""
    text, problem = read_utf8(path)
    try:
        loaded = (
            tomllib.loads(text) if path.suffix == ".toml"
            else json.loads(text) if path.suffix == ".json"
            else yaml.safe_load(text)
        )
    except (ValueError, yaml.YAMLError):
        return {}
    if not isinstance(loaded, dict) or problem:
        return {}
    return {path.stem: loaded} if path.parent != data else loaded


def _author_name(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return next((str(entry[k]) for k in _AUTHOR_NAME_KEYS if isinstance(entry.get(k), str)), "")
    return ""
