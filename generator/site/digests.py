"""Short stable digests, and fresh random names."""

from __future__ import annotations

import hashlib
import os


def digest(*parts: bytes | str) -> str:
    """A short stable digest of `parts`."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def new_token() -> str:
    """A fresh random name for one build's plan or renderer (uuid is slow to import)."""
    return os.urandom(16).hex()
