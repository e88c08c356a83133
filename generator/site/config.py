"""`folio.toml` into a frozen, validated `Config`.

The schema is declared once, as the fields of `Config`: each field's type is
checked, its default is the default, and its `doc` is the documentation.
"""

from __future__ import annotations

import re
import string
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ContentError, ContentErrors, UsageError
from .publish_targets import PublishTarget, parse_targets
from .slugs import slugify
from .urls import part_problem

CONFIG_FILE = "folio.toml"
PERMALINK_FIELDS = frozenset({"year", "month", "day", "slug", "section"})
PAGINATIONS = ("stable", "newest-first")
"""Values of `pagination`."""


def option(doc: str, default: Any = MISSING) -> Any:
    """A `folio.toml` key: its documentation and default."""
    return field(default=default, metadata={"doc": doc, "toml": True})


def runtime(doc: str, default: Any) -> Any:
    """A value set by the command line, not by `folio.toml`."""
    return field(default=default, metadata={"doc": doc, "toml": False})


DATE_STYLES = ("auto", "ap", "long", "iso")


@dataclass(frozen=True, slots=True)
class MenuItem:
    """A link of the site menu: one `[[menu]]` table of folio.toml."""

    label: str
    """Text of the link."""
    url: str
    """Site path such as /about/ (base_url's path is added), or an http(s) address."""


@dataclass(frozen=True, slots=True)
class AuthorTable:
    """One `[authors.SLUG]` table: a profile, read as the front matter of
    content/authors/SLUG.md is read (site/people.py), its keys documented there."""

    slug: str
    """SLUG of the table: the URL part of the author's byline, e.g. jane-doe."""
    values: Mapping[str, Any]
    """The table's keys and values as written."""
    line: int | None
    """File line of the table's header."""
    lines: Mapping[str, int]
    """File line of each key of the table, for errors."""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know besides the content itself."""

    title: str = option("Site name, shown in the masthead, page titles and feeds.")
    base_url: str = option(
        "Public address of the site, e.g. https://news.example.org/; "
        "a path such as /archive/ prefixes every link."
    )
    description: str = option("One-sentence description for the home page and feeds.", "")
    language: str = option("Language of the site as a BCP 47 tag (html lang).", "en")
    timezone: str = option("IANA time zone for dates written without an offset.", "UTC")
    date_style: str = option(
        "How pages write dates: 'ap' (Sept. 18, 2015, 5:10 p.m. EDT), 'long' (the "
        "language's own long date, e.g. 18 septembre 2015, 17:10), 'iso' (2015-09-18 "
        "17:10), or 'auto': AP style for English, 'long' for other languages.",
        "auto",
    )
    per_page: int = option(
        "Articles per page on the home, tag, author, section and date pages.", 10
    )
    pagination: str = option(
        "How list pages are numbered: 'stable' counts numbered pages from the oldest story, "
        "so /tags/x/page/3/ keeps its stories as new ones arrive and only the front page "
        "and the newest numbered page change; 'newest-first' numbers them from the newest, "
        "so every page shifts with each new story.",
        "stable",
    )
    default_section: str = option("Section of articles whose front matter names none.", "News")
    default_byline: str = option(
        "Byline of a story started by `folio new` without --byline, and of an imported "
        "story whose source names no author.",
        "Staff",
    )
    permalink: str = option(
        "URL pattern of articles; fields {year} {month} {day} {slug} {section}.",
        "/{year}/{month}/{day}/{slug}/",
    )
    theme: str = option(
        "Theme folder under themes/; 'default' falls back to the built-in.", "default"
    )
    related_count: int = option("How many related articles (by shared tags) an article lists.", 5)
    max_tags: int = option(
        "Most tags one article may have: each is a page and a feed that lists it.", 50
    )
    max_bylines: int = option(
        "Most bylines one article may have: each is an author page and feed.", 50
    )
    max_aliases: int = option(
        "Most aliases (old paths) one article may have: each is a redirect page.", 100
    )
    max_related: int = option("Most entries one article's `related` list may have.", 50)
    feed_size: int = option("Entries in each Atom feed (site, tag, author, section).", 20)
    publisher: str = option(
        "Publisher named in structured data and the news sitemap (default: the title).", ""
    )
    organizations: tuple[str, ...] = option(
        "Byline names that are organisations (agencies, desks), typed Organization, "
        "not Person, in structured data.",
        (),
    )
    strict: bool = option(
        "Make a front-matter key that looks like a misspelt field (sectoin:) an error "
        "instead of a warning.",
        False,
    )
    search: bool = option(
        "Build the /search/ page and its Pagefind index, and a search box in the header.", True
    )
    menu: tuple[MenuItem, ...] = option(
        "Links of the site menu, in order: one [[menu]] table per link, with `label` (the "
        "text) and `url` (a site path such as /about/, or an http(s) address). Default: "
        "every section, then Tags, Authors and Archive. Standalone pages with `menu: true` "
        "follow either way.",
        (),
    )
    share_image: str = option(
        "Image shown when a page with no photo of its own is shared (Open Graph, X cards): "
        "a file of the site's static/ folder as a site path, such as /share.png, or an "
        "http(s) address.",
        "",
    )
    image_widths: tuple[int, ...] = option(
        "Widths in pixels of the resized copies made of each article photo.", (480, 960, 1600)
    )
    markdown_html: bool = option(
        "Pass raw HTML in article bodies through (true) or show it as text (false).", False
    )
    embed_hosts: tuple[str, ...] = option(
        "Hosts, besides the known providers (YouTube, Vimeo, X, Instagram, Facebook, "
        "DocumentCloud, Datawrapper, Flourish), whose https pages a story's embed block "
        "may show in an iframe: exact host names, such as \"graphics.example.org\".",
        (),
    )
    links_outside: tuple[str, ...] = option(
        "Site paths that live beside the archive on the same host (such as /careers/ or "
        "/assets/): links and images under them are not checked.",
        (),
    )
    publish: tuple[PublishTarget, ...] = option(
        "Where `folio publish` sends output/: one [publish.NAME] table per target, "
        "its keys documented on PublishTarget (generator/site/publish_targets.py).",
        (),
    )
    authors: tuple[AuthorTable, ...] = option(
        "Author profiles: one [authors.SLUG] table per author (SLUG as in /authors/SLUG/), "
        "with the keys of a content/authors/SLUG.md file (docs/front-matter.md).",
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
TABLES = ("markdown", "links")


def load_config(site_dir: Path, **overrides: Any) -> Config:
    """Read `site_dir/folio.toml`, apply command-line `overrides`, validate."""
    path = site_dir / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        command = "folio init" if site_dir == Path() else f"folio init {site_dir}"
        raise UsageError(f"no {CONFIG_FILE} in {site_dir} — run `{command}` to start a site"
                         ) from None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentErrors([ContentError(CONFIG_FILE, f"not valid TOML: {exc}")]) from None
    values, errors = _flatten(raw, text)
    values.update({k: v for k, v in overrides.items() if v is not None})
    errors.extend(_check_types(values, text))
    if not errors:
        errors.extend(_check_values(values, text))
        errors.extend(_check_share_image(values.get("share_image", ""), site_dir, text))
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
        elif name == "menu":
            values[name], found = _parse_menu(values[name], text)
            errors.extend(found)
        elif name == "authors":
            values[name], found = _author_tables(values[name], text)
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


def _parse_menu(raw: Any, text: str) -> tuple[tuple[MenuItem, ...], list[ContentError]]:
    expected = 'expected [[menu]] tables, each with label = "…" and url = "/…/"'
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        return (), [_error(text, "menu", expected)]
    items, errors = [], []
    lines = [text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r"^[ \t]*\[\[[ \t]*menu[ \t]*\]\]", text, re.MULTILINE)]
    for number, item in enumerate(raw, start=1):
        problem = _menu_item_problem(item)
        if problem:
            line = lines[number - 1] if number <= len(lines) else None
            errors.append(ContentError(CONFIG_FILE, f"link {number}: {problem}; {expected}",
                                       line=line, field="menu"))
        else:
            items.append(MenuItem(item["label"], item["url"]))
    return tuple(items), errors


def _menu_item_problem(item: dict[str, Any]) -> str | None:
    if unknown := sorted(item.keys() - {"label", "url"}):
        return f"unknown key {unknown[0]!r}"
    label, url = item.get("label"), item.get("url")
    if not isinstance(label, str) or not label.strip():
        return f"label must be a non-empty string, got {label!r}"
    if not isinstance(url, str) or not (url.startswith("/") or _is_web_address(url)):
        return f"url must be a site path starting with '/' or an http(s) address, got {url!r}"
    return None


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _author_tables(value: Any, text: str) -> tuple[tuple[AuthorTable, ...], list[ContentError]]:
    """The `[authors.SLUG]` tables; what is inside each is checked with the profiles."""
    if not isinstance(value, dict):
        return (), [_error(text, "authors", f"expected [authors.SLUG] tables, got {value!r}")]
    tables, errors = [], []
    for slug, table in value.items():
        header = re.search(rf"^\s*\[\s*authors\s*\.\s*[\"']?{re.escape(slug)}[\"']?\s*\]",
                           text, re.MULTILINE)
        line = text.count("\n", 0, header.start()) + 1 if header else None
        if not isinstance(table, dict):
            errors.append(ContentError(CONFIG_FILE, "expected a table of name, role, bio, photo "
                                       f"and links, got {table!r}", line, f"authors.{slug}"))
        elif slugify(slug) != slug:
            errors.append(ContentError(CONFIG_FILE, "expected the URL part of a byline, such as "
                                       f"{slugify(slug) or 'jane-doe'!r}", line, f"authors.{slug}"))
        else:
            start = header.end() if header else len(text)
            tables.append(AuthorTable(slug, table, line, _table_lines(text, start, table)))
    return tuple(tables), errors


def _table_lines(text: str, start: int, table: dict[str, Any]) -> dict[str, int]:
    """The line of each key of the table whose header ends at `start` (a key written
    as a table of its own, [authors.SLUG.photo], on its header's line)."""
    following = re.compile(r"^\s*\[", re.MULTILINE).search(text, start)
    end = following.start() if following else len(text)
    lines = {}
    for key in table:
        quoted = rf"[\"']?{re.escape(key)}[\"']?"
        own_table = re.compile(rf"^\s*\[+[^\]\n]*\.\s*{quoted}\s*\]", re.MULTILINE)
        match = (re.compile(rf"^\s*{quoted}\s*=", re.MULTILINE).search(text, start, end)
                 or own_table.search(text, start))
        if match:
            lines[key] = text.count("\n", 0, match.start()) + 1
    return lines


def _is(value: Any, expected: type) -> bool:
    return isinstance(value, expected) and not (expected is int and isinstance(value, bool))


def _python_type(hint: Any) -> type:
    if isinstance(hint, types.UnionType):
        hint = typing.get_args(hint)[0]
    return typing.cast(type, hint)


def _check_values(values: dict[str, Any], text: str) -> list[ContentError]:
    errors = []
    checks = {"title": _title_problem, "base_url": _base_url_problem,
              "language": language_problem, "timezone": _timezone_problem,
              "theme": _theme_problem, "default_section": _name_problem,
              "default_byline": _name_problem, "date_style": _date_style_problem,
              "pagination": _pagination_problem}
    for name, check in checks.items():
        if name in values and (problem := check(values[name])):
            errors.append(_error(text, name, problem))
    at_least_one = ("per_page", "feed_size", "max_tags", "max_bylines", "max_aliases",
                    "max_related")
    for name in at_least_one:
        if name in values and values[name] < 1:
            errors.append(_error(text, name, "must be at least 1"))
    if values.get("related_count", 0) < 0:
        errors.append(_error(text, "related_count", "must not be negative"))
    if any(width < 16 for width in values.get("image_widths", ())):
        errors.append(_error(text, "image_widths", "widths must be at least 16 pixels"))
    if "permalink" in values:
        errors.extend(_check_permalink(values["permalink"], text))
    if bad := [host for host in values.get("embed_hosts", ()) if not _embed_host(host)]:
        errors.append(_error(text, "embed_hosts", f"expected host names such as "
                                                  f"'graphics.example.org', got {bad!r}"))
    if any(not path.startswith("/") for path in values.get("links_outside", ())):
        errors.append(_error(text, "links_outside", "paths must start with /, e.g. \"/careers/\""))
    return errors


def _check_share_image(image: str, site_dir: Path, text: str) -> list[ContentError]:
    if not image or _is_web_address(image):
        return []
    if not image.startswith("/") or ".." in image.split("/"):
        return [_error(text, "share_image", "expected a site path such as /share.png or an "
                                            f"http(s) address, got {image!r}")]
    if not (site_dir / "static" / image.lstrip("/")).is_file():
        return [_error(text, "share_image", f"no file static{image} in the site folder")]
    try:
        image_size(site_dir / "static" / image.lstrip("/"))
    except (OSError, ValueError) as exc:
        return [_error(text, "share_image", f"static{image} is not an image ({exc})")]
    return []


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file, as Pillow reads them from its header."""
    from PIL import Image  # only a site with a share image needs it

    with Image.open(path) as image:
        return image.size


def _title_problem(title: str) -> str | None:
    return None if title.strip() else "must not be empty; expected the name of the site"


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def _base_url_problem(url: str) -> str | None:
    expected = "expected an absolute http(s) URL such as https://news.example.org/"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"{expected}, got {url!r} ({exc})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{expected}, got {url!r}"
    if parts.username is not None or parts.password is not None:
        return ("must not hold a user name or password: it would be printed in every "
                "canonical link and feed")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return f"{expected}, with no ?query or #fragment, got {url!r}"
    if not _valid_host(parts.hostname or ""):
        return f"{parts.hostname or ''!r} is not a valid host name; {expected}"
    if any(segment.startswith(".") for segment in parts.path.split("/")):
        return f"its path must not have parts starting with '.', got {parts.path!r}"
    return None


def _valid_host(host: str) -> bool:
    """A DNS name (international ones as IDNA 2008 allows them) or an IP address."""
    if ":" in host:  # an IPv6 literal, which urlsplit has already checked
        return True
    if _IPV4.match(host):
        return all(int(number) < 256 for number in host.split("."))
    if host.isascii() and "xn--" not in host:
        ascii_host = host
    else:
        import idna  # only international names need it

        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            return False
    return all(_HOST_LABEL.match(label) for label in ascii_host.removesuffix(".").split("."))


def _embed_host(host: str) -> bool:
    return host == host.lower() and "." in host and ":" not in host and _valid_host(host)


def language_problem(tag: str) -> str | None:
    """Why `tag` is not a BCP 47 language tag; None when it is."""
    import langcodes  # a large registry: imported only by the commands that read folio.toml

    if re.fullmatch(r"[A-Za-z0-9-]+", tag) and langcodes.tag_is_valid(tag):
        return None
    return f"expected a BCP 47 language tag such as en, pt-BR or zh-Hant, got {tag!r}"


def _date_style_problem(style: str) -> str | None:
    if style in DATE_STYLES:
        return None
    return f"expected one of {', '.join(DATE_STYLES)}, got {style!r}"


def _timezone_problem(zone: str) -> str | None:
    expected = f"expected an IANA zone such as America/New_York, got {zone!r}"
    if zone not in _iana_zones():
        return expected
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return expected
    return None


def _iana_zones() -> frozenset[str]:
    """The keys of the IANA database (tzdata's list): no 'localtime', whose meaning
    is the machine's, nor the placeholder 'Factory'."""
    keys = resources.files("tzdata").joinpath("zones").read_text("utf-8").split()
    return frozenset(keys) - {"Factory"}


def _name_problem(name: str) -> str | None:
    slug = slugify(name)
    if not slug:
        return f"{name!r} has no letters or digits to make a URL from"
    if part_problem(slug):
        return f"{name!r} makes the URL part {slug!r}, a device name on Windows"
    return None


def _pagination_problem(order: str) -> str | None:
    if order in PAGINATIONS:
        return None
    return f"expected {' or '.join(map(repr, PAGINATIONS))}, got {order!r}"


def _theme_problem(theme: str) -> str | None:
    if re.fullmatch(r"[^/\\:\x00-\x1f]+", theme) and not theme.startswith("."):
        return None
    return f"expected the name of a folder under themes/, such as 'paper', got {theme!r}"


def _check_permalink(pattern: str, text: str) -> list[ContentError]:
    try:
        fields_used = [(name, spec, conversion)
                       for _, name, spec, conversion in string.Formatter().parse(pattern)
                       if name is not None]
    except ValueError as exc:
        return [_error(text, "permalink", f"is not a valid pattern ({exc}); "
                                          "write fields as {year}, {slug}...")]
    names = {name for name, _, _ in fields_used}
    allowed = ", ".join(f"{{{name}}}" for name in sorted(PERMALINK_FIELDS))
    if not pattern.startswith("/") or not pattern.endswith("/"):
        return [_error(text, "permalink", "must start and end with '/'")]
    if unknown := names - PERMALINK_FIELDS:
        return [_error(text, "permalink", f"unknown field {sorted(unknown)}; use {allowed}")]
    if any(spec or conversion for _, spec, conversion in fields_used):
        return [_error(text, "permalink", f"fields take no format or conversion; use {allowed}")]
    if "slug" not in names:
        return [_error(text, "permalink", "must contain {slug} so every article has its own URL")]
    for segment in pattern[1:-1].split("/"):
        if problem := _permalink_segment_problem(segment):
            return [_error(text, "permalink", f"{problem}, got {pattern!r}")]
    return []


def _permalink_segment_problem(segment: str) -> str | None:
    if segment in ("", ".", ".."):
        return "must not have empty, '.' or '..' parts"
    if segment.startswith("."):
        return "must not have parts starting with '.'"
    return None if "{" in segment else part_problem(segment)


def _error(text: str, key: str, message: str) -> ContentError:
    table = next((t for t in TABLES if key.startswith(f"{t}_")), None)
    leaf, shown = (
        (key[len(table) + 1 :], f"{table}.{key[len(table) + 1 :]}") if table else (key, key)
    )
    match = re.search(rf"^\s*{re.escape(leaf)}\s*=", text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return ContentError(CONFIG_FILE, message, line=line, field=shown)
