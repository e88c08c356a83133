"""`folio.toml` into a frozen, validated `Config`.

The schema is declared once, as the fields of `Config`: each field's type is
checked, its default is the default, and its `doc` is the documentation.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ContentError, ContentErrors, UsageError
from .publish.target import PublishTarget, parse_targets

CONFIG_FILE = "folio.toml"
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug", "section"})


def option(doc: str, default: Any = MISSING) -> Any:
    """A `folio.toml` key: its documentation and default."""
    return field(default=default, metadata={"doc": doc, "toml": True})


def runtime(doc: str, default: Any) -> Any:
    """A value set by the command line, not by `folio.toml`."""
    return field(default=default, metadata={"doc": doc, "toml": False})


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know besides the content itself."""

    title: str = option("Site name, shown in the masthead, page titles and feeds.")
    base_url: str = option("Public address of the site, e.g. https://news.example.org/.")
    description: str = option("One-sentence description for the home page and feeds.", "")
    language: str = option("Language of the site as a BCP 47 tag (html lang).", "en")
    timezone: str = option("IANA time zone for dates written without an offset.", "UTC")
    per_page: int = option("Articles per page on the home, tag, author and archive pages.", 10)
    default_section: str = option("Section of articles whose front matter names none.", "News")
    permalink: str = option(
        "URL pattern of articles; fields {year} {month} {day} {slug} {section}.",
        "/{year}/{month}/{day}/{slug}/",
    )
    theme: str = option(
        "Theme folder under themes/; 'default' falls back to the built-in.", "default"
    )
    related_count: int = option("How many related articles (by shared tags) an article lists.", 5)
    feed_size: int = option("Entries in each Atom feed (site, tag, author, section).", 20)
    publisher: str = option("Publisher named in structured data and the news sitemap.", "")
    organizations: tuple[str, ...] = option(
        "Byline names that are organisations (agencies, desks), not people.", ()
    )
    search: bool = option("Build the /search/ page and its Pagefind index.", True)
    image_widths: tuple[int, ...] = option(
        "Widths in pixels of the resized copies made of each article photo.", (480, 960, 1600)
    )
    markdown_html: bool = option(
        "Pass raw HTML in article bodies through (true) or show it as text (false).", False
    )
    publish: tuple[PublishTarget, ...] = option(
        "Where `folio publish` sends output/: one [publish.NAME] table per target, "
        "its keys documented on PublishTarget (generator/publish/target.py).",
        (),
    )

    site_dir: Path = runtime("Folder holding folio.toml, content/ and templates/.", Path())
    output_dir: Path = runtime("Where the built site is written.", Path("output"))
    drafts: bool = runtime("Build articles marked draft: true.", False)
    future: bool = runtime("Build articles dated after `now`.", False)
    now: datetime | None = runtime("The build's notion of the present, for future dates.", None)

    @property
    def present(self) -> datetime:
        """`now`, which load_config always sets; the clock for a Config made by hand."""
        return self.now or datetime.now(UTC)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of `base_url` without its trailing slash: '' or '/archive'."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"

    @property
    def cache_dir(self) -> Path:
        """Where work worth keeping between builds goes (resized photos)."""
        return self.site_dir / ".folio-cache"

    @property
    def publisher_name(self) -> str:
        return self.publisher or self.title


TOML_KEYS = {f.name: f for f in fields(Config) if f.metadata["toml"]}
HINTS = typing.get_type_hints(Config)
# Tables in folio.toml that map onto prefixed options: [markdown] html = true.
TABLES = ("markdown",)


def load_config(site_dir: Path, **overrides: Any) -> Config:
    """Read `site_dir/folio.toml`, apply command-line `overrides`, validate."""
    path = site_dir / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no {CONFIG_FILE} in {site_dir}; is --site right?") from None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentErrors([ContentError(CONFIG_FILE, f"not valid TOML: {exc}")]) from None
    values, errors = _flatten(raw, text)
    values.update({k: v for k, v in overrides.items() if v is not None})
    errors.extend(_check_types(values, text))
    if not errors:
        errors.extend(_check_values(values, text))
    if errors:
        raise ContentErrors(errors)
    # Absolute, so that every way of naming the site (`.`, a relative or absolute
    # path, a link) gives the same paths, hence the same cache and digests.
    values["site_dir"] = site_dir.resolve()
    values["output_dir"] = Path(values.get("output_dir", values["site_dir"] / "output")).absolute()
    values.setdefault("now", datetime.now(UTC))
    config = Config(**values)
    return replace(config, base_url=config.base_url.rstrip("/") + "/")


def _flatten(raw: dict[str, Any], text: str) -> tuple[dict[str, Any], list[ContentError]]:
    values: dict[str, Any] = {}
    errors: list[ContentError] = []
    for key, value in raw.items():
        if key in TABLES and isinstance(value, dict):
            for sub, sub_value in value.items():
                values[f"{key}_{sub}"] = sub_value
        else:
            values[key] = value
    for key in values:
        if key not in TOML_KEYS:
            known = ", ".join(sorted(TOML_KEYS))
            errors.append(_error(text, key, f"unknown setting; known settings are {known}"))
    return {k: v for k, v in values.items() if k in TOML_KEYS}, errors


def _check_types(values: dict[str, Any], text: str) -> list[ContentError]:
    errors = []
    for name, spec in TOML_KEYS.items():
        if name not in values:
            if spec.default is MISSING:
                errors.append(ContentError(CONFIG_FILE, "is required", field=name))
            continue
        hint = HINTS[name]
        if name == "publish":
            values[name], found = parse_targets(values[name], text, CONFIG_FILE)
            errors.extend(found)
        elif typing.get_origin(hint) is tuple:
            item = typing.get_args(hint)[0]
            if isinstance(values[name], list) and all(_is(v, item) for v in values[name]):
                values[name] = tuple(values[name])
            else:
                expected = f"a list of {item.__name__}"
                errors.append(_error(text, name, f"expected {expected}, got {values[name]!r}"))
        elif not _is(values[name], _python_type(hint)):
            expected = _python_type(hint).__name__
            errors.append(_error(text, name, f"expected {expected}, got {values[name]!r}"))
    return errors


def _is(value: Any, expected: type) -> bool:
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _python_type(hint: Any) -> type:
    if isinstance(hint, types.UnionType):
        hint = typing.get_args(hint)[0]
    return typing.cast(type, hint)


def _check_values(values: dict[str, Any], text: str) -> list[ContentError]:
    errors = []
    url = urlsplit(values["base_url"])
    if url.scheme not in ("http", "https") or not url.netloc:
        errors.append(_error(text, "base_url", "expected an absolute http(s) URL"))
    try:
        ZoneInfo(values.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(_error(text, "timezone", "expected an IANA zone such as America/New_York"))
    for name in ("per_page", "feed_size"):
        if name in values and values[name] < 1:
            errors.append(_error(text, name, "must be at least 1"))
    if values.get("related_count", 0) < 0:
        errors.append(_error(text, "related_count", "must not be negative"))
    if any(width < 16 for width in values.get("image_widths", ())):
        errors.append(_error(text, "image_widths", "widths must be at least 16 pixels"))
    if "permalink" in values:
        errors.extend(_check_permalink(values["permalink"], text))
    return errors


def _check_permalink(pattern: str, text: str) -> list[ContentError]:
    names = set(re.findall(r"{(\w*)}", pattern))
    if not pattern.startswith("/") or not pattern.endswith("/"):
        return [_error(text, "permalink", "must start and end with '/'")]
    if "slug" not in names:
        return [_error(text, "permalink", "must contain {slug} so every article has its own URL")]
    if unknown := names - PERMALINK_FIELDS:
        allowed = ", ".join(sorted(PERMALINK_FIELDS))
        return [_error(text, "permalink", f"unknown field {sorted(unknown)}; use {allowed}")]
    return []


def _error(text: str, key: str, message: str) -> ContentError:
    table = next((t for t in TABLES if key.startswith(f"{t}_")), None)
    leaf, shown = (
        (key[len(table) + 1 :], f"{table}.{key[len(table) + 1 :]}") if table else (key, key)
    )
    match = re.search(rf"^\s*{re.escape(leaf)}\s*=", text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return ContentError(CONFIG_FILE, message, line=line, field=shown)
