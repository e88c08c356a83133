"""Content-Type and Cache-Control of each file, for object stores that serve what they are told.

Three cache classes: files whose name changes with their content (photo copies
under /photos/<digest>/, Pagefind's index fragments) are cached for a year as
immutable; pages, feeds, sitemaps and other documents whose URL stays briefly;
everything else (stylesheets, scripts, files copied from content/) in between.
"""

from __future__ import annotations

import mimetypes
import re
from types import MappingProxyType

from ..site.images import PHOTO_FOLDER
from ..site.publish_targets import PublishTarget
from .plan import is_document

_TYPES = MappingProxyType({
    ".html": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".wasm": "application/wasm",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".pagefind": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
})
_TEXT_TYPES = ("text/", "application/xml", "application/json", "image/svg+xml")
_HASHED = re.compile(
    rf"^{PHOTO_FOLDER}/[0-9a-f]{{16}}/"
    r"|^pagefind/[^/]+/(fragment|index|filter)/"
    r"|^pagefind/[^/]+/[^/]+\.pf_meta$"
)


def content_type(path: str) -> str:
    """The MIME type of a site file, with charset=utf-8 for text (Folio writes UTF-8)."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    kind = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT_TYPES) else kind


def cache_control(path: str, target: PublishTarget) -> str:
    if is_document(path):
        return target.cache_control_html
    if _HASHED.match(path):
        return target.cache_control_immutable
    return target.cache_control_assets
