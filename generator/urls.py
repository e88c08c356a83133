"""Site paths (the URLs of pages) and the files they are written to."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from .slugs import slugify

# Decoded paths may hold any character a file name can, but a backslash (a folder
# separator on some hosts) or a control character.
_FORBIDDEN = re.compile(r"[\\\x00-\x1f]")


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
    if decoded.endswith("/") or not parts or "." not in parts[-1]:
        parts.append("index.html")
    return "/".join(parts)


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


def tag_url(name: str) -> str:
    return f"/tags/{slugify(name)}/"


def author_url(name: str) -> str:
    return f"/authors/{slugify(name)}/"


def section_url(name: str) -> str:
    return f"/sections/{slugify(name)}/"


def page_url(first: str, number: int) -> str:
    """URL of page `number` of a paginated list whose first page is `first`."""
    return first if number == 1 else f"{first}page/{number}/"
