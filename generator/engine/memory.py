"""Giving the memory the C allocator holds free back to the system."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable

TRIM_EVERY = 8192
"""Pages (or files, in a load worker) a process handles between two trims of its
heaps: a trim takes milliseconds, a 100k build renders 216,000 pages."""


def give_back_past(before: int, after: int) -> None:
    """`give_back` when a process's count of pages (or files) went from `before` to
    `after` past a multiple of TRIM_EVERY."""
    if before // TRIM_EVERY != after // TRIM_EVERY:
        give_back()


def give_back() -> None:
    """Return the free pages of the C allocator's heaps to the system.

    glibc keeps what a process freed for its next allocations, and keeps it resident:
    the stories a 100k build let go of after planning, and the pages the pool's
    thread received from the workers, left 70 MiB of the building process free but
    resident while it rendered; a worker keeps what its largest batch took (the
    sitemaps, 50 MiB). No-op where the C library has no `malloc_trim`.
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
