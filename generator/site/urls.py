"""Site paths (the URLs of pages) and the files they are written to."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .slugs import slugify

# Decoded paths may hold any character a file name can, but a backslash (a folder
# separator on some hosts) or a control character.
_FORBIDDEN = re.compile(r"[\\\x00-\x1f]")
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in [*"0123456789", "¹", "²", "³"]]
)
"""Names Windows gives to devices, whatever the extension: no file can have them."""
# Whatever part_problem refuses, found in one pass: file_name runs many times per page.
_SUSPECT = re.compile(
    r"/\.|/(?:con|prn|aux|nul|conin\$|conout\$|(?:com|lpt)[0-9¹²³]) *(?:[./]|$)|[ .](?:/|$)",
    re.IGNORECASE,
)


def file_for(url: str) -> PurePosixPath:
    """The file, relative to the output folder, that serves site path `url`."""
    return PurePosixPath(file_name(url))


def file_name(url: str) -> str:
    """The file, relative to the output folder, that serves site path `url`, as a string.

    `url` is percent-encoded as in an href; it is decoded once, as a web server does.

    "/" -> index.html, "/tags/" -> tags/index.html, "/feed.xml" -> feed.xml,
    "/old-page" -> old-page/index.html. Raises ValueError for any path that
    could name a file outside the output folder or is not a plain path.
    """
    decoded = unquote(url)
    if not decoded.startswith("/") or decoded.startswith("//"):
        raise ValueError("expected a path starting with a single '/'")
    if _FORBIDDEN.search(decoded):
        raise ValueError("contains a character not allowed in a path")
    parts = decoded.strip("/").split("/") if decoded != "/" else []
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError("contains an empty, '.' or '..' segment")
    if any(len(part.encode("utf-8")) > 200 for part in parts):
        raise ValueError("has a part longer than 200 bytes, more than a file name may hold")
    if _SUSPECT.search(decoded):
        for part in parts:
            if problem := part_problem(part):
                raise ValueError(problem)
    if decoded.endswith("/") or not parts or "." not in parts[-1]:
        parts.append("index.html")
    return "/".join(parts)


def part_problem(part: str) -> str | None:
    """Why `part` cannot be a file or folder name of the output; None when it can."""
    if part.startswith("."):
        return (f"has the part {part!r}: names starting with '.' are hidden or mean "
                "something to servers (.htaccess, .git, .well-known)")
    stem = part.split(".", 1)[0]
    if len(stem) <= 8 and stem.rstrip(" ").casefold() in WINDOWS_DEVICES:
        return (f"has the part {part!r}, a device name on Windows (CON, PRN, AUX, NUL, "
                "COM1-9, LPT1-9), whatever its extension")
    if part.endswith((" ", ".")):
        return f"has the part {part!r}, ending in a space or '.' that Windows drops"
    return None


def fold(name: str) -> str:
    """`name` as case-insensitive, normalizing file systems and stores see it: two
    names that fold alike are one file on macOS, Windows and many S3 mirrors."""
    if name.isascii():
        return name.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


def normalize(url: str) -> str:
    """A site path in the form pages use: folder URLs end with '/'."""
    file = file_for(url)
    if file.name == "index.html":
        parent = file.parent.as_posix()
        return "/" if parent == "." else f"/{parent}/"
    return "/" + file.as_posix()


def origin(url: str) -> str:
    """'https://example.org' from 'https://example.org/archive/'."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def language_key(tag: str, site_language: str) -> str:
    """Language `tag` as articles keep it: lower case, "" for the site's own language."""
    return "" if tag.lower() == site_language.lower() else tag.lower()


def in_language(language: str, url: str) -> str:
    """`url` in the archive of `language` (a `language_key`; "" adds no prefix)."""
    return f"/{language}{url}" if language else url


def tag_url(name: str) -> str:
    return f"/tags/{slugify(name)}/"


def author_url(name: str) -> str:
    return f"/authors/{slugify(name)}/"


def section_url(name: str) -> str:
    return f"/sections/{slugify(name)}/"


def page_url(first: str, number: int) -> str:
    """URL of page `number` of a newest-first list whose first page is `first`."""
    return first if number == 1 else numbered_url(first, number)


def numbered_url(first: str, number: int) -> str:
    """URL of the page that `number` names, in any pagination, of a list at `first`."""
    return f"{first}page/{number}/"
