"""Giving the memory the C allocator holds free back to the system."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable

TRIM_EVERY = 8192
"""Pages (or files, in a load worker) a process handles between two trims of its
heaps: a trim is too slow to run after every page, and a big build renders many."""


def give_back_past(before: int, after: int) -> None:
    """`give_back` when a process's count of pages (or files) went from `before` to
    `after` past a multiple of TRIM_EVERY."""
    if before // TRIM_EVERY != after // TRIM_EVERY:
        give_back()


def give_back() -> None:
    """Return the free pages of the C allocator's heaps to the system.

    glibc keeps what a process freed for its next allocations, and keeps it resident:
    the stories the building process lets go of after planning, and the pages the
    pool's thread receives from the workers, would stay resident while it renders; a
    worker would keep what its largest batch took (the sitemaps). No-op where the C
    library has no `malloc_trim`.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        function: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return function
