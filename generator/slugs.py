"""Stable, Unicode-safe URL slugs and the folding that makes "Syria" and "syria" one tag."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+")
_VALID_SLUG = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; accents dropped, other scripts kept.

    "Bashar al-Assad" -> "bashar-al-assad", "Zürich" -> "zurich",
    "Москва" -> "москва". The same text always gives the same slug.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", stripped).casefold()
    return _NOT_WORD.sub("-", folded).strip("-")


def is_valid_slug(slug: str) -> bool:
    """Letters, digits and inner hyphens only: nothing that could leave a folder."""
    return bool(_VALID_SLUG.match(slug))
