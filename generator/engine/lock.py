"""One build of a site at a time: a lock on a file of its build cache."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..site.errors import step

LOCK_FILE = "build.lock"


@contextmanager
def site_lock(cache_dir: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the site's build lock; when another build holds it, say which process
    (through `waiting`) and wait for it. A POSIX record lock: the kernel lets go of it
    when its process ends however it ends, and processes forked from it never hold it."""
    with step(f"locking the site ({cache_dir / LOCK_FILE})"):
        cache_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(cache_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        with step(f"locking the site ({cache_dir / LOCK_FILE})"):
            _acquire(descriptor, waiting)
        yield
    finally:
        os.close(descriptor)


def _acquire(descriptor: int, waiting: Callable[[str], None]) -> None:
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
        waiting(f"another build of this site is running (process {holder}); "
                "waiting for it to finish")
        fcntl.lockf(descriptor, fcntl.LOCK_EX)
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
