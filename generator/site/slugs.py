"""Stable, Unicode-safe URL slugs and the folding that makes "Syria" and "syria" one tag."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+")
MAX_SLUG_BYTES = 120
"""Longest slug, in bytes: file systems allow 255 per name."""
_VALID_SLUG = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")


def slug_of(text: str) -> str:
    """Lower-case words joined by hyphens; accents dropped, other scripts kept.

    "Bashar al-Assad" -> "bashar-al-assad", "Zürich" -> "zurich",
    "Москва" -> "москва". The same text always gives the same slug.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", stripped).casefold()
    slug = _NOT_WORD.sub("-", folded).strip("-")
    if len(slug.encode("utf-8")) <= MAX_SLUG_BYTES:
        return slug
    # Too long for a file name: a stable prefix and a digest of the whole.
    tail = hashlib.blake2b(slug.encode("utf-8"), digest_size=5).hexdigest()
    head = slug.encode("utf-8")[: MAX_SLUG_BYTES - 11].decode("utf-8", "ignore").rstrip("-")
    return f"{head}-{tail}"


slugify = lru_cache(maxsize=65536)(slug_of)
"""`slug_of`, remembered: for names that recur across stories (tags, authors,
sections). Text seen once, such as file names, is better slugged by `slug_of`."""


def is_valid_slug(slug: str) -> bool:
    """Letters, digits and inner hyphens only, and short enough for a file name."""
    return bool(_VALID_SLUG.match(slug)) and len(slug.encode("utf-8")) <= MAX_SLUG_BYTES
