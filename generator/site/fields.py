"""Reading and validating front-matter fields of one file, one error per bad field."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from . import images, urls
from .config import Config, language_problem
from .errors import ContentError, field_error
from .model import Correction, Photo, RelatedLink
from .slugs import is_valid_slug, slugify
from .sources import is_file_within

EDGE = timedelta(days=7)
"""Dates this close to the ends of the calendar cannot be computed with (feeds' windows)."""
LIMITS = {"tags": "max_tags", "byline": "max_bylines", "aliases": "max_aliases",
          "related": "max_related"}
"""The folio.toml key that caps each list field: each entry makes pages or prints a
headline, so an uncapped list makes output grow faster than input."""
DEVICE = "a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), which no file may have"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_EXAMPLE = "an ISO 8601 date such as 2015-09-18 or 2015-09-18T17:10:00-04:00"


class FieldReader:
    """Typed access to one file's front matter; problems go to the shared error list."""

    def __init__(
        self,
        path: str,
        lines: Mapping[str, int],
        meta: dict[Any, Any],
        config: Config,
        errors: list[ContentError],
        known: frozenset[str] = frozenset(),
    ) -> None:
        """`known`: the fields of this kind of file, against which typos are found."""
        self.path = path
        self.lines = lines
        self.meta = {str(k): v for k, v in meta.items()}
        self.config = config
        self._errors = errors
        self.failed = False
        self.known = known
        self._typos = {key: field for key in self.meta
                       if (field := likely_typo(key, known, self.meta)) is not None}

    def error(self, name: str, message: str) -> None:
        self._errors.append(field_error(self.path, self.lines, name, message))
        self.failed = True

    def line_error(self, line: int, message: str) -> None:
        """A problem found outside the front matter (in the body), at its file line."""
        self._errors.append(ContentError(self.path, message, line=line))
        self.failed = True

    def missing(self, name: str, message: str = "is required") -> None:
        """`name` is required but absent: say so, and name the key that looks like its typo."""
        typo = next((key for key, field in self._typos.items() if field == name), None)
        if typo is None:
            self.error(name, message)
            return
        where = f" on line {self.lines[typo]}" if typo in self.lines else ""
        self.error(name, f"{message} — did you mean `{typo}`{where}?")

    def typos(self) -> list[ContentError]:
        """A key that looks like a misspelt field: `sectoin:` for `section:`."""
        return [field_error(self.path, self.lines, key,
                            f"is not a field Folio knows — did you mean `{field}`?")
                for key, field in self._typos.items()]

    def text(self, name: str, required: bool = False) -> str:
        value = self.meta.get(name)
        if value is None:
            if required:
                self.missing(name)
            return ""
        return self.text_of(name, value, required)

    def text_of(self, name: str, value: Any, required: bool = False) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, f"expected text, got {describe(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.error(name, "is required and must not be empty")
        return text

    def names(
        self, name: str, required: bool = False, allow_string: bool = True
    ) -> tuple[str, ...]:
        """A list of names (bylines, tags); a single string counts as one name if allowed."""
        if required and self.meta.get(name) is None:
            self.missing(name)
            return ()
        found: dict[str, str] = {}
        reported = len(self._errors)
        items = self._at_most(name, self._list(
            name, "a list of names such as [Syria, Russia]", allow_string))
        for index, item in enumerate(items):
            label = f"{name}[{index}]"
            text = self.text_of(label, item)
            if text and self.name_has_url(label, text):
                found.setdefault(slugify(text), text)
        if required and not found and len(self._errors) == reported:
            self.error(name, "is required and must name at least one person or organisation")
        return tuple(found.values())

    def name_has_url(self, label: str, text: str) -> bool:
        """Whether the name `text` (a tag, byline, section) makes a URL; if not, say why."""
        slug = slugify(text)
        if not slug:
            self.error(label, f"{text!r} has no letters or digits to make a URL from")
        elif urls.part_problem(slug):
            self.error(label, f"{text!r} makes the URL part {slug!r}, {DEVICE}; "
                              "add a word to the name")
        else:
            return True
        return False

    def _at_most(self, name: str, items: list[Any]) -> list[Any]:
        """`items`, or none when there are more than folio.toml allows for field `name`."""
        key = LIMITS[name]
        limit: int = getattr(self.config, key)
        if len(items) <= limit:
            return items
        self.error(name, f"has {len(items):,} entries, more than the {limit} allowed "
                         f"({key} in folio.toml)")
        return []

    def _list(self, name: str, expected: str, allow_string: bool = False) -> list[Any]:
        """The list under `name`, [] when absent; a string is a one-item list if allowed."""
        value = self.meta.get(name)
        if value is None:
            return []
        if isinstance(value, str) and allow_string:
            return [value]
        if isinstance(value, list):
            return value
        self.error(name, f"expected {expected}, got {describe(value)}")
        return []

    def moment(self, name: str, required: bool = False) -> datetime | None:
        value = self.meta.get(name)
        if value is None:
            if required:
                self.missing(name, f"is required; expected {DATE_EXAMPLE}")
            return None
        parsed = self._parse_moment(name, value)
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.config.zone)
        try:
            for moment in (parsed - EDGE, parsed + EDGE):
                moment.astimezone(UTC).astimezone(self.config.zone)
        except OverflowError:
            self.error(name, f"{value!r} is too close to the ends of the calendar; check the year")
            return None
        return parsed

    def _parse_moment(self, name: str, value: Any) -> datetime | None:
        if not isinstance(value, str):
            self.error(name, f"expected {DATE_EXAMPLE}, got {describe(value)}")
            return None
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError as exc:
            reason = "" if "Invalid isoformat" in str(exc) else f" ({exc})"
            self.error(name, f"expected {DATE_EXAMPLE}, got {value!r}{reason}")
            return None

    def day_only(self, name: str) -> bool:
        """The value names a day and no time of day (`2015-09-18`)."""
        value = self.meta.get(name)
        return isinstance(value, str) and _DAY.fullmatch(value.strip()) is not None

    def flag(self, name: str) -> bool:
        value = self.meta.get(name, False)
        if not isinstance(value, bool):
            self.error(name, f"expected true or false, got {describe(value)}")
            return False
        return value

    def number(self, name: str) -> int:
        value = self.meta.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"expected a whole number, got {describe(value)}")
            return 0
        return value

    def slug(self, default: str) -> str:
        value = self.meta.get("slug")
        if value is None:
            if not default:
                self.error(
                    "slug", "the file name has no letters or digits; set slug: in front matter"
                )
            elif urls.part_problem(default):
                self.error("slug", f"the file name makes the slug {default!r}, {DEVICE}; "
                                   "set slug: in front matter")
                return ""
            return default
        # Typed on a Mac, an accent may come as a letter and a combining mark.
        text = unicodedata.normalize("NFC", self.text_of("slug", value))
        if not is_valid_slug(text):
            self.error(
                "slug",
                f"expected letters, digits and inner hyphens only, at most 120 bytes, "
                f"got {text[:80]!r}{'...' if len(text) > 80 else ''}",
            )
            return ""
        if urls.part_problem(text):
            self.error("slug", f"{text!r} is {DEVICE}; choose another slug")
            return ""
        return text

    def language(self) -> str:
        """The `language` tag in lower case; "" when it is the site's own or not set."""
        tag = self.text("language")
        if not tag:
            return ""
        if problem := language_problem(tag):
            self.error("language", problem)
            return ""
        return urls.language_key(tag, self.config.language)

    def translation_key(self) -> str:
        value = self.meta.get("translation_key")
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error("translation_key", f"expected a text, got {describe(value)}")
            return ""
        return " ".join(str(value).split())

    def photo(self) -> Photo | None:
        value = self.meta.get("photo")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error("photo", f"expected src, alt, caption and credit, got {describe(value)}")
            return None
        parts = {
            key: self.text_of(f"photo.{key}", value.get(key) or "")
            for key in ("src", "alt", "caption", "credit")
        }
        for key in value:
            if key not in parts:
                self.error(f"photo.{key}", "unknown key; photo takes src, alt, caption, credit")
        src = self._photo_src(parts["src"]) if parts["src"] else None
        photo = Photo(src, parts["alt"] or parts["caption"], parts["caption"], parts["credit"])
        try:
            return images.measure(photo, self.config)
        except images.PhotoError as exc:
            self.error("photo.src", f"{parts['src']!r} {exc}")
            return photo

    def _photo_src(self, src: str) -> str | None:
        scheme = urlsplit(src).scheme.lower()
        if scheme in ("http", "https"):
            return src
        if scheme or src.startswith(("/", "\\")) or ".." in src.split("/"):
            self.error(
                "photo.src", f"expected a path under content/ or an http(s) URL, got {src!r}"
            )
            return None
        file = self.config.content_dir / src
        content = self.config.content_dir.resolve()
        if not is_file_within(file, content):
            self.error("photo.src", f"{src!r} is not a file under content/")
            return None
        return quote("/" + src)

    def related(self) -> tuple[RelatedLink, ...]:
        value = self._at_most(
            "related", self._list("related", "a list of slug: or title:/url: entries"))
        links = (self._related_entry(f"related[{i}]", item) for i, item in enumerate(value))
        return tuple(link for link in links if link)

    def _related_entry(self, label: str, item: Any) -> RelatedLink | None:
        if isinstance(item, str):
            item = {"slug": item}
        if not isinstance(item, dict):
            self.error(label, f"expected slug: or title: and url:, got {describe(item)}")
            return None
        if item.get("slug") is not None:
            slug = self.text_of(f"{label}.slug", item["slug"])
            return RelatedLink(slug=slug, title=None, url=None) if slug else None
        title = self.text_of(f"{label}.title", item.get("title") or "")
        url = self.text_of(f"{label}.url", item.get("url") or "")
        if url and (urlsplit(url).scheme.lower() not in ("http", "https")
                    or not urlsplit(url).netloc):
            self.error(f"{label}.url", f"expected an http(s) address, got {url!r}")
            return None
        if not title:
            self.error(f"{label}.title", "is required unless the entry gives a slug:")
            return None
        return RelatedLink(slug=None, title=title, url=url or None)

    def aliases(self) -> tuple[str, ...]:
        found = []
        items = self._at_most("aliases", self._list("aliases", "a list of old paths", True))
        for index, item in enumerate(items):
            text = self.text_of(f"aliases[{index}]", item)
            if "?" in text or "#" in text:
                self.error(
                    f"aliases[{index}]",
                    f"{text!r} has a query or fragment, which a "
                    "static redirect page cannot answer; give the old path only",
                )
                continue
            try:
                found.append(urls.normalize(text))
            except ValueError as exc:
                self.error(f"aliases[{index}]", f"{text!r} is not a usable site path: {exc}")
        return tuple(dict.fromkeys(found))

    def corrections(self) -> tuple[Correction, ...]:
        found = []
        for index, item in enumerate(self._list("corrections", "a list of date: and text:")):
            label = f"corrections[{index}]"
            if not isinstance(item, dict):
                self.error(label, f"expected date: and text:, got {describe(item)}")
                continue
            when = self._parse_moment(f"{label}.date", item.get("date"))
            text = self.text_of(f"{label}.text", item.get("text"), required=True)
            if when and text:
                found.append(Correction(date=when.date(), text=text))
        return tuple(sorted(found, key=lambda c: c.date))


def likely_typo(key: str, known: frozenset[str], meta: Mapping[str, Any]) -> str | None:
    """The field of `known` that `key` looks like a misspelling of, when that field is
    not set too (then `key` is meant); None for a key unlike any field, as imported
    archives carry many (`layout`, `excerpt`, `wp_id`)."""
    if key in known:
        return None
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.8)
    return close[0] if close and close[0] not in meta else None


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"{value!r}"
