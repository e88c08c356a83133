"""Link integrity: every internal href, src and srcset of every page resolves to a file.

Links are read from each page as it is rendered (a regular expression over
the attributes, not a full parse: the pages are Folio's own HTML) and kept
with the page, so a rebuild checks only what changed.
"""

from __future__ import annotations

import functools
import html
import re
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from . import urls

_ATTRIBUTE = re.compile(r"""\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# The lookahead on first letters spares the engine trying every name at every "<".
_TAG = re.compile(
    r"<(?=[aAlLiIsSvV])(?:a|link|img|source|script|iframe|video|audio|area)\b[^>]*>", re.I
)
# Comments, and the contents of script, style and template elements (their opening
# tag stays: a script's src is a link).
_NOT_LINKS = re.compile(
    r"<(?=[sStT!])(?:(?P<open>(?P<name>script|style|template)\b[^>]*>).*?</(?P=name)\s*>"
    r"|!--.*?-->)",
    re.I | re.S,
)


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A page that links to a file the build did not write."""

    page: str
    """Output file of the page, e.g. 2015/09/18/slug/index.html."""
    target: str
    """The output file the link needs, e.g. tags/syria/index.html."""

    @property
    def url(self) -> str:
        """The link as a site path: /tags/syria/."""
        return "/" + self.target.removesuffix("index.html")


class PageLinks(MutableMapping[str, tuple[str, ...]]):
    """The internal links of pages (as the files they need), by page file name.

    Each page's are kept as the numbers of its targets, four bytes each, every
    target named once: a big archive's pages have very many links, and a tuple per
    page would weigh on the building process.
    """

    def __init__(self, pages: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._pages: dict[str, bytes] = {}
        self._numbers: dict[str, int] = {}
        self._targets: list[str] = []
        for name, targets in pages:
            self[name] = targets

    def __setitem__(self, name: str, targets: Iterable[str]) -> None:
        self._pages[name] = array("I", map(self._number, targets)).tobytes()

    def _number(self, target: str) -> int:
        number = self._numbers.get(target)
        if number is None:
            number = self._numbers[target] = len(self._targets)
            self._targets.append(target)
        return number

    def __getitem__(self, name: str) -> tuple[str, ...]:
        numbers = array("I")
        numbers.frombytes(self._pages[name])
        return tuple(map(self._targets.__getitem__, numbers))

    def __delitem__(self, name: str) -> None:
        del self._pages[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    def __contains__(self, name: object) -> bool:
        return name in self._pages


def internal_links(page_html: str, page_url: str, base_path: str) -> tuple[str, ...]:
    """The output file every internal link of a page needs (each file once).

    Only files are kept, interned, not the links as written: a site's pages
    mostly link to the same few files, and the build keeps every page's list.
    """
    found: dict[str, None] = {}
    for tag in dict.fromkeys(_TAG.findall(_NOT_LINKS.sub(_opening_tag, page_html))):
        for link, resolved in _tag_links(tag, base_path):
            target = link if resolved else _target_of(link, page_url, base_path)
            if target is not None:
                found[target] = None
    return tuple(found)


def _opening_tag(match: re.Match[str]) -> str:
    opening = match.group("open")
    return f"<{opening}" if opening else ""


def broken(
    links: Mapping[str, tuple[str, ...]],
    exists: Iterable[str] | None = None,
    root: Path | None = None,
    outside: tuple[str, ...] = (),
) -> list[BrokenLink]:
    """Links whose file is neither among `exists` nor on disk under `root`, nor under
    one of the `outside` paths (`[links] outside`)."""
    present = set(exists or ())
    beside = tuple(path.lstrip("/") for path in outside)
    missing = []
    for page, targets in links.items():
        for target in targets:
            if target in present or (root is not None and (root / target).is_file()):
                continue
            if target.startswith(beside) and beside:
                continue
            missing.append(BrokenLink(page, target))
    missing.sort(key=lambda link: link.page)  # the few broken links, not every page's
    return missing


def links_of_tree(root: Path, base_path: str) -> dict[str, tuple[str, ...]]:
    """The internal links of every HTML page under `root` (a built site)."""
    return {
        path.relative_to(root).as_posix(): internal_links(
            path.read_text(encoding="utf-8", errors="replace"), _url_of(path, root), base_path
        )
        for path in sorted(root.rglob("*.html"))
    }


_CACHED = 1 << 14
"""Tags (and links) each worker keeps read: a larger cache would cost every worker
more memory than the time it saves."""


@functools.lru_cache(maxsize=_CACHED)
def _tag_links(tag: str, base_path: str) -> tuple[tuple[str, bool], ...]:
    """The internal links of a tag: (output file, True) for a site path, the same on
    every page; (link, False) for a link relative to the page. Cached: the pages of
    a site repeat the same tags (the navigation, a story's card) again and again.
    Most other tags are seen once (a page's canonical link, its next page), so a
    tag not in the cache is read without splitting its URLs where the start says
    what they are."""
    found = []
    for value in _attribute_values(tag):
        if value.startswith("/"):
            target = _target_of(value, "", base_path)
            if target is not None:
                found.append((target, True))
        elif not value.startswith(_ELSEWHERE) and _is_relative(value):
            found.append((value, False))
    return tuple(found)


_ELSEWHERE = ("https://", "http://", "#", "mailto:")
"""How links start that need no splitting to be known as another site's or the page's own."""


def _is_relative(link: str) -> bool:
    parts = urlsplit(link)
    return not (parts.scheme or parts.netloc or not parts.path)


def _attribute_values(tag: str) -> Iterator[str]:
    for name, double, single in _ATTRIBUTE.findall(tag):
        value = html.unescape(double or single).strip()
        if name.lower() == "srcset":
            yield from (part.split()[0] for part in value.split(",") if part.split())
        elif value:
            yield value


@functools.lru_cache(maxsize=_CACHED)
def _target_of(value: str, page_url: str, base_path: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = urlsplit(urljoin(base_path + page_url, parts.path)).path
    if not path.startswith("/"):  # urljoin's ".." past the root; a browser stays at it
        path = "/" + path
    if base_path and not (path == base_path or path.startswith(base_path + "/")):
        return None  # elsewhere on the same host: not this site's to check
    try:
        return sys.intern(urls.file_name(path[len(base_path):] or "/"))
    except ValueError:
        return f"(not a path){path}"


def _url_of(path: Path, root: Path) -> str:
    relative = path.relative_to(root).as_posix()
    return "/" + relative.removesuffix("index.html")
