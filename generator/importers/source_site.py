"""The old site around the posts: its configuration, where its posts are, their old URLs.

`folio import hugo|jekyll|eleventy SITE_ROOT` reads the generator's own settings
(Hugo's `hugo.*`, `config.*` or `config/_default/`, Jekyll's `_config.yml`,
Eleventy's directory data files) to find the content folders, each one's
language, and the permalink rules, and computes every post's old URL the way
that generator would, so it becomes the story's URL or an alias.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .dates import to_moment
from .sources import read_utf8

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
                "config.toml", "config.yaml", "config.yml", "config.json")
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's named permalink styles."""

_DATED_STEM = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})-")
_ELEVENTY_PERMALINK = re.compile(r"""\bpermalink\s*:\s*(['"`])(?P<pattern>[^'"`]*)\1""")
_LIQUID_OUTPUT = re.compile(r"\{\{\s*(?P<expression>[^}]*?)\s*\}\}")


class NotComputed(ValueError):
    """An old URL this importer cannot work out, and why."""


@dataclass(frozen=True, slots=True)
class ContentRoot:
    """One folder of posts and what the old site did with them."""

    folder: Path
    language: str = ""
    """The language of its posts, "" when the site has one language."""
    prefix: str = ""
    """What the old site put before every path of this folder ("/fr", "/blog")."""
    base_url: str = ""
    """The old site's address for this folder's posts (one per language on multihost sites)."""


@dataclass(frozen=True, slots=True)
class SourceSite:
    """What the old site's configuration says, as far as the import needs it."""

    generator: str
    """hugo, jekyll or eleventy."""
    root: Path
    """The site's root folder, as given."""
    roots: tuple[ContentRoot, ...]
    """Folders holding the posts, each walked for them."""
    settings: Mapping[str, str] = field(default_factory=dict)
    """What folio.toml could take from it: title, base_url, language, permalink."""
    permalinks: Mapping[str, str] = field(default_factory=dict)
    """Permalink pattern by section ("" for every post), in the generator's own syntax."""
    lowercase: bool = True
    """Hugo lower-cases paths unless `disablePathToLower`."""
    ugly: bool = False
    """Hugo's `uglyURLs`: /post.html rather than /post/."""
    taxonomies: tuple[str, ...] = ("topics",)
    """Front matter keys of the site's other taxonomies, whose terms become tags."""


@cache  # the file walk and every reader of one import ask
def read_source_site(generator: str, root: Path) -> SourceSite | None:
    """The site whose root is `root`, when it holds that generator's configuration;
    ValueError naming the file when that configuration cannot be read."""
    if not root.is_dir():
        return None
    reader = _READERS.get(generator)
    return reader(root) if reader else None


def old_path(site: SourceSite, path: Path, fields: Mapping[str, Any]) -> str:
    """The path the old site gave the post at `path` (front matter `fields`, lower-cased
    keys as the source wrote them); NotComputed saying why it cannot be known."""
    where = root_of(site, path)
    if where is None:
        raise NotComputed("the file is outside the site's content folders")
    if site.generator == "hugo":
        found = _hugo_path(site, where, path, fields)
    elif site.generator == "jekyll":
        found = _jekyll_path(site, where, path, fields)
    else:
        found = _eleventy_path(site, where, path, fields)
    return _clean(where.prefix + "/" + found.lstrip("/"))


def address_of(site: SourceSite, path: Path) -> str:
    """The old site's base URL for the post at `path`: its language's on a site with one
    host per language, else the site's; "" when the configuration gives none."""
    root = root_of(site, path)
    return (root.base_url if root else "") or site.settings.get("base_url", "")


def translation_path(site: SourceSite, path: Path) -> str:
    """The path of the post at `path` under its language's folder, without its suffix
    and language (`post.fr.md`): what Hugo pairs translations by when they name no
    translationKey."""
    root = root_of(site, path)
    relative = path.relative_to(root.folder if root else path.parent).with_suffix("")
    return relative.with_name(stem_of(site, relative)).as_posix()


def language_of(site: SourceSite, path: Path) -> str:
    """The language of the post at `path`, "" when the site has one."""
    root = root_of(site, path)
    return root.language if root else ""


def root_of(site: SourceSite, path: Path) -> ContentRoot | None:
    """The content folder of the post at `path`, with its language: where languages share
    a folder, Hugo reads it from the file name (`post.fr.md`), else it is the default's."""
    holding = [r for r in site.roots if r.folder in path.parents]
    named = Path(path.stem).suffix.lstrip(".").lower()
    return next((r for r in holding if r.language.lower() == named), None) or next(
        iter(holding), None)


def stem_of(site: SourceSite, path: Path) -> str:
    """The name of the post at `path` less its suffix and any language of the site in it."""
    stem = Path(path.stem)
    named = stem.suffix.lstrip(".").lower()
    spoken = {r.language.lower() for r in site.roots if r.language}
    return stem.stem if named in spoken else path.stem


# Hugo ------------------------------------------------------------------------------


def _read_hugo(root: Path) -> SourceSite | None:
    config = _hugo_config(root)
    if config is None:
        return None
    lowered = _lower(config)
    base_url = str(lowered.get("baseurl", ""))
    languages = lowered.get("languages")
    default = str(lowered.get("defaultcontentlanguage", "en"))
    in_subdir = bool(lowered.get("defaultcontentlanguageinsubdir", False))
    content = str(lowered.get("contentdir", "content"))
    roots: list[ContentRoot] = []
    permalinks = _permalinks(lowered.get("permalinks"))
    if isinstance(languages, Mapping) and languages:
        hosts = {str(_lower(v).get("baseurl", "")) for v in languages.values()
                 if isinstance(v, Mapping)}
        multihost = len(hosts - {""}) > 1
        for name, value in languages.items():
            entry = _lower(value) if isinstance(value, Mapping) else {}
            folder = root / str(entry.get("contentdir", content))
            own_base = str(entry.get("baseurl", base_url))
            prefix = "" if multihost or (name == default and not in_subdir) else f"/{name}"
            roots.append(ContentRoot(folder, str(name), _base_path(own_base) + prefix, own_base))
            permalinks = {**_permalinks(entry.get("permalinks")), **permalinks}
        roots.sort(key=lambda r: r.language != default)  # a file that names none is the default's
    else:
        roots.append(ContentRoot(root / content, "", _base_path(base_url), base_url))
    own = _lower(languages.get(default, {})) if isinstance(languages, Mapping) else {}
    language = str(lowered.get("languagecode", "") or (default if languages else ""))
    settings = {"title": str(lowered.get("title", "") or own.get("title", "")),
                "base_url": base_url or str(own.get("baseurl", "")), "language": language}
    return SourceSite(
        "hugo", root, tuple(r for r in roots if r.folder.is_dir()),
        {k: v for k, v in settings.items() if v},
        permalinks,
        lowercase=not lowered.get("disablepathtolower", False),
        ugly=bool(lowered.get("uglyurls", False)),
        taxonomies=_taxonomies(lowered.get("taxonomies")),
    )


def _taxonomies(value: Any) -> tuple[str, ...]:
    """Hugo's `taxonomies` table (singular = plural key), less the ones Folio has."""
    if not isinstance(value, Mapping):
        return ("topics",)
    return tuple(str(plural).lower() for plural in value.values()
                 if str(plural).lower() not in ("tags", "categories", "authors"))


def _hugo_config(root: Path) -> dict[str, Any] | None:
    """Hugo's configuration: its file at the root, else config/_default/ merged."""
    for name in HUGO_CONFIGS:
        if (root / name).is_file():
            return _load(root / name)
    folder = root / "config" / "_default"
    if not folder.is_dir():
        return None
    merged: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".toml", ".yaml", ".yml", ".json"):
            loaded = _load(path)
            stem = path.stem.lower()
            merged.update(loaded if stem in ("hugo", "config") else {stem: loaded})
    return merged


def _permalinks(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    found = {}
    for key, pattern in value.items():
        if isinstance(pattern, Mapping) and str(key).lower() == "page":
            found.update({str(k): str(v) for k, v in pattern.items()})
        elif isinstance(pattern, str):
            found[str(key)] = pattern
    return found


def _hugo_path(site: SourceSite, where: ContentRoot, path: Path,
               fields: Mapping[str, Any]) -> str:
    relative = path.relative_to(where.folder)
    bundle = stem_of(site, path) in ("index", "_index")
    filename = relative.parent.name if bundle else stem_of(site, path)
    section = relative.parts[0] if len(relative.parts) > 1 else ""
    if isinstance(fields.get("url"), str):
        return str(fields["url"])
    pattern = site.permalinks.get(section)
    slug = fields.get("slug")
    if pattern is None:
        folder = relative.parent.parent if bundle else relative.parent
        last = str(slug) if isinstance(slug, str) and slug else filename
        found = "/".join(hugo_sanitize(part) for part in [*folder.parts, last])
    else:
        title = str(fields.get("title", ""))
        tokens = _date_tokens(fields) | {
            "section": section, "sections": "/".join(relative.parent.parts),
            "filename": filename, "contentbasename": filename,
            "title": title, "slug": str(slug) if slug else title,
            "slugorfilename": str(slug) if slug else filename,
            "slugorcontentbasename": str(slug) if slug else filename,
        }
        found = _expand_colon_tokens(pattern, tokens, hugo_sanitize)
    found = found.lower() if site.lowercase else found
    return found.rstrip("/") + ".html" if site.ugly else found.rstrip("/") + "/"


def hugo_sanitize(text: str) -> str:
    """Hugo's sanitizer of a path part: letters, digits, marks and `./\\_#+~` kept;
    runs of spaces and hyphens one hyphen (never first); anything else dropped."""
    kept: list[str] = []
    hyphen = False
    for character in text:
        category = unicodedata.category(character)
        if category[0] in "LNM" or character in "./\\_#+~":
            if hyphen:
                kept.append("-")
                hyphen = False
            kept.append(character)
        elif kept and (character == "-" or character.isspace()):
            hyphen = True
    return "".join(kept)


# Jekyll ----------------------------------------------------------------------------


def _read_jekyll(root: Path) -> SourceSite | None:
    config_path = root / "_config.yml"
    if not config_path.is_file():
        return None
    config = _lower(_load(config_path))
    base_path = str(config.get("baseurl") or "").rstrip("/")
    permalink = str(config.get("permalink") or "date")
    permalinks = {"": JEKYLL_STYLES.get(permalink, permalink)}
    roots = [ContentRoot(root / "_posts", "", base_path)]
    collections = config.get("collections")
    if isinstance(collections, Mapping):
        for name, value in collections.items():
            entry = _lower(value) if isinstance(value, Mapping) else {}
            if (root / f"_{name}").is_dir() and entry.get("output"):
                roots.append(ContentRoot(root / f"_{name}", "", base_path))
                permalinks[str(name)] = str(entry.get("permalink")
                                            or "/:collection/:path:output_ext")
    url = str(config.get("url") or "").rstrip("/")
    settings = {"title": str(config.get("title", "")),
                "base_url": f"{url}{base_path}/" if url else "",
                "language": str(config.get("lang", "") or config.get("locale", ""))}
    return SourceSite("jekyll", root, tuple(r for r in roots if r.folder.is_dir()),
                      {k: v for k, v in settings.items() if v}, permalinks)


def _jekyll_path(site: SourceSite, where: ContentRoot, path: Path,
                 fields: Mapping[str, Any]) -> str:
    if isinstance(fields.get("permalink"), str):
        return str(fields["permalink"])
    collection = where.folder.name.removeprefix("_")
    pattern = site.permalinks.get(collection if collection != "posts" else "",
                                  site.permalinks[""])
    pattern = JEKYLL_STYLES.get(pattern, pattern)
    stem = _DATED_STEM.sub("", path.stem)
    slug = str(fields.get("slug") or stem)
    categories = fields.get("categories", fields.get("category", []))
    if isinstance(categories, str):
        categories = categories.split()
    folders = [p for p in path.relative_to(where.folder).parent.parts if p != "_posts"]
    tokens = _date_tokens(fields, path.stem) | {
        "title": jekyll_slugify(slug), "slug": jekyll_slugify(slug), "name": jekyll_slugify(slug),
        "categories": "/".join(jekyll_slugify(str(c)) for c in [*folders, *categories]),
        "output_ext": ".html", "collection": collection,
        "path": path.relative_to(where.folder).with_suffix("").as_posix(),
    }
    return _expand_colon_tokens(pattern, tokens, lambda s: s)


def jekyll_slugify(text: str) -> str:
    """Jekyll's default slugify: lower case, every run of other than a letter or a
    digit one hyphen, none at either end."""
    return re.sub(r"[^\w]+|_+", "-", text.lower()).strip("-")


# Eleventy --------------------------------------------------------------------------


def _read_eleventy(root: Path) -> SourceSite | None:
    marks = (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs", "eleventy.config.mjs")
    data_files = list(root.rglob("*.11tydata.js")) + list(root.rglob("*.11tydata.json"))
    if not any((root / m).is_file() for m in marks) and not data_files:
        return None
    permalinks: dict[str, str] = {}
    for data in data_files:
        text, _ = read_utf8(data)
        match = (_ELEVENTY_PERMALINK.search(text) if data.suffix == ".js"
                 else _json_permalink(text))
        if match is not None:
            folder = data.parent.relative_to(root).as_posix()
            permalinks[folder] = match if isinstance(match, str) else match["pattern"]
    inputs = [root / name for name in ("content", "src", "posts") if (root / name).is_dir()]
    settings: dict[str, str] = {}
    for data in (root / "data" / "site.yaml", root / "_data" / "site.yaml",
                 root / "data" / "site.json", root / "_data" / "site.json"):
        if data.is_file():
            found = _lower(_load(data))
            settings = {"title": str(found.get("title", "")),
                        "base_url": str(found.get("host", found.get("url", ""))),
                        "language": str(found.get("locale", found.get("lang", "")))}
            break
    roots = tuple(ContentRoot(folder) for folder in (inputs or [root]))
    return SourceSite("eleventy", root, roots, {k: v for k, v in settings.items() if v},
                      permalinks)


def _json_permalink(text: str) -> str | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    value = found.get("permalink") if isinstance(found, dict) else None
    return value if isinstance(value, str) else None


def _eleventy_path(site: SourceSite, where: ContentRoot, path: Path,
                   fields: Mapping[str, Any]) -> str:
    permalink = fields.get("permalink")
    relative = path.relative_to(where.folder)
    if permalink is None:
        for folder in [path.parent, *path.parent.parents]:
            if folder == site.root.parent:
                break
            key = folder.relative_to(site.root).as_posix() if folder != site.root else "."
            if key in site.permalinks:
                permalink = site.permalinks[key]
                break
    file_slug = _DATED_STEM.sub("", path.stem if path.stem != "index" else path.parent.name)
    if not isinstance(permalink, str):
        stem = relative.parent if path.stem == "index" else relative.with_suffix("")
        return f"/{stem.as_posix()}/"
    date = _date_value(fields, path.stem)

    def expression(match: re.Match[str]) -> str:
        name, *filters = [part.strip() for part in match["expression"].split("|")]
        if name == "page.fileSlug":
            return file_slug
        if name == "page.filePathStem":
            return "/" + relative.with_suffix("").as_posix()
        if name == "page.date" and date is not None and filters:
            found = _eleventy_date(date, filters[0])
            if found is not None:
                return found
        if name in ("title", "slug") and filters and filters[0] in ("slug", "slugify"):
            return jekyll_slugify(str(fields.get(name, "")))
        raise NotComputed(f"the permalink {permalink!r} uses {{{{ {match['expression']} }}}}, "
                          "which only Eleventy can work out")

    return _LIQUID_OUTPUT.sub(expression, permalink)


def _eleventy_date(when: datetime, name: str) -> str | None:
    """The common date filters of Eleventy sites: toDatePath (year/month/day) and
    Liquid's `date: "%Y/%m/%d"`."""
    if name.replace(" ", "") in ("toDatePath", "datePath"):
        return f"{when.year:04d}/{when.month:02d}/{when.day:02d}"
    strftime = re.fullmatch(r"date:\s*['\"](?P<format>[^'\"]+)['\"]", name)
    if strftime:
        return when.strftime(strftime["format"])
    return None


# Shared ----------------------------------------------------------------------------


_READERS: Mapping[str, Callable[[Path], SourceSite | None]] = {
    "hugo": _read_hugo, "jekyll": _read_jekyll, "eleventy": _read_eleventy,
}


def _load(path: Path) -> dict[str, Any]:
    text, problem = read_utf8(path)
    if problem:
        raise ValueError(f"{path}: {problem}")
    try:
        loaded = (tomllib.loads(text) if path.suffix == ".toml"
                  else json.loads(text) if path.suffix == ".json"
                  else yaml.safe_load(text))
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot be read as {path.suffix[1:].upper()}: "
                         f"{' '.join(str(exc).split())}") from None
    return loaded if isinstance(loaded, dict) else {}


def _lower(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()}


def _base_path(base_url: str) -> str:
    return urlsplit(base_url).path.rstrip("/")


def _date_value(fields: Mapping[str, Any], stem: str = "") -> datetime | None:
    """The post's date as written (its own offset), else its file name's."""
    dated = _DATED_STEM.match(stem)
    from_name = f"{dated['year']}-{dated['month']}-{dated['day']}" if dated else None
    for value in (fields.get("date"), from_name):
        try:
            moment = to_moment(value, UTC)
        except ValueError:
            continue
        if moment is not None:
            return moment
    return None


def _date_tokens(fields: Mapping[str, Any], stem: str = "") -> dict[str, str]:
    when = _date_value(fields, stem)
    if when is None:
        return {}
    return {
        "year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}",
        "i_month": str(when.month), "i_day": str(when.day), "short_year": f"{when.year % 100:02d}",
        "monthname": when.strftime("%B").lower(), "weekday": str(when.isoweekday() % 7),
        "weekdayname": when.strftime("%A").lower(), "yearday": str(when.timetuple().tm_yday),
        "y_day": f"{when.timetuple().tm_yday:03d}", "hour": f"{when.hour:02d}",
        "minute": f"{when.minute:02d}", "second": f"{when.second:02d}",
        "week": f"{when.isocalendar().week:02d}", "short_day": when.strftime("%a"),
    }


def _expand_colon_tokens(pattern: str, tokens: Mapping[str, str],
                         sanitize: Callable[[str], str]) -> str:
    def token(match: re.Match[str]) -> str:
        name = match[1]
        if name not in tokens:
            raise NotComputed(f"the permalink {pattern!r} uses :{name}, which this post "
                              "does not give (no date?)" if name in _DATE_NAMES
                              else f"the permalink {pattern!r} uses :{name}, unknown here")
        return sanitize(tokens[name])

    names = sorted(tokens.keys() | _DATE_NAMES, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    return re.sub(rf":({alternatives}|[a-z_]+)", token, pattern)


_DATE_NAMES = frozenset(["year", "month", "day", "i_month", "i_day", "short_year", "monthname",
                         "weekday", "weekdayname", "yearday", "y_day", "hour", "minute",
                         "second", "week", "short_day"])


def _clean(found: str) -> str:
    """One slash between parts, as the path of a URL."""
    return re.sub(r"/{2,}", "/", "/" + found.lstrip("/"))
