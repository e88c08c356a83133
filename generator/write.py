"""Bytes to disk: build the whole site in a folder beside `output/`, then swap it in.

A build that fails or is killed leaves the previous `output/` as it was; on
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from .errors import FolioError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PROTECTED = ("folio.toml", "content", ".git")


def check_output_dir(output_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy the user's files."""
    output, site = output_dir.resolve(), site_dir.resolve()
    if site.is_relative_to(output):
        raise FolioError(f"output folder {output_dir} holds the site itself; choose another")
    if output_dir.exists() and not output_dir.is_dir():
        raise FolioError(f"output path {output_dir} is a file, not a folder")
    for name in _PROTECTED:
        if (output_dir / name).exists():
            raise FolioError(
                f"output folder {output_dir} contains {name}; Folio replaces the whole "
                "folder on every build, so point --output at a folder of its own"
            )


def write_site(
    output_dir: Path,
    pages: Iterable[tuple[PurePosixPath, bytes]],
    copies: Iterable[tuple[PurePosixPath, Path]],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Write `pages` (bytes) and `copies` (files) as the new `output_dir`, all or nothing.

    `finish`, when given, runs on the staging folder once every file is in it
    (the search index is built there); if it raises, the old output stays.
    """
    _remove_leftovers(output_dir)
    staging = output_dir.parent / f".{output_dir.name}.building-{os.getpid()}"
    staging.mkdir(parents=True)
    try:
        for relative, source in copies:
            shutil.copyfile(source, _target(staging, relative))
        for relative, data in pages:
            _target(staging, relative).write_bytes(data)
        if finish:
            finish(staging)
        _swap_in(staging, output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _target(root: Path, relative: PurePosixPath) -> Path:
    # The staging folder is new and holds no links, so a relative path without
    # '..' cannot leave it.
    if relative.is_absolute() or ".." in relative.parts:
        raise FolioError(f"refusing to write {relative}: it lies outside the output folder")
    path = root.joinpath(*relative.parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Make `staging` the new `output_dir`; the old tree ends up at `staging`."""
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    if _exchange(staging, output_dir):
        return
    retired = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
    output_dir.rename(retired)
    staging.rename(output_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two folders where the kernel can (Linux renameat2)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


def _remove_leftovers(output_dir: Path) -> None:
    """Delete staging folders of builds that were killed (their process is gone)."""
    for pattern in (f".{output_dir.name}.building-*", f".{output_dir.name}.old-*"):
        for leftover in output_dir.parent.glob(pattern):
            pid = leftover.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _is_running(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
