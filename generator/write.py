"""Bytes to disk: build the whole site in a folder beside `output/`, then swap it in.

A build that fails or is killed leaves the previous `output/` as it was; on
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Callable
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


class Staging:
    """The next `output/`, filled beside the current one and swapped in whole.

    Files whose bytes do not change are hard links to the current output's
    files, so they are not written again and keep their times.
    """

    def __init__(self, output_dir: Path) -> None:
        _remove_leftovers(output_dir)
        self.output_dir = output_dir
        self.root = output_dir.parent / f".{output_dir.name}.building-{os.getpid()}"
        self.root.mkdir(parents=True)
        self.written = 0
        """Files whose bytes were written (not linked from the current output)."""
        self.wrote_html = False
        """Whether any HTML page got new bytes (the search index must then be rebuilt)."""
        self._made: set[Path] = {self.root}

    def put(self, relative: PurePosixPath, data: bytes) -> None:
        """Write `data`, or link the current file when it holds exactly `data`."""
        old = self.output_dir.joinpath(*relative.parts)
        try:
            same = old.stat().st_size == len(data) and old.read_bytes() == data
        except OSError:
            same = False
        if not (same and self.keep(relative)):
            self._target(relative).write_bytes(data)
            self.written += 1
            self.wrote_html = self.wrote_html or relative.suffix == ".html"

    def keep(self, relative: PurePosixPath) -> bool:
        """Carry the current output's file over unchanged; False when there is none."""
        try:
            os.link(self.output_dir.joinpath(*relative.parts), self._target(relative))
        except OSError:
            return False
        return True

    def keep_folder(self, relative: PurePosixPath) -> bool:
        """Carry a whole folder of the current output over; False when there is none."""
        old = self.output_dir.joinpath(*relative.parts)
        files = [path for path in old.rglob("*") if path.is_file()] if old.is_dir() else []
        kept = [self.keep(PurePosixPath(relative, *f.relative_to(old).parts)) for f in files]
        return bool(files) and all(kept)

    def copy(self, relative: PurePosixPath, source: Path) -> None:
        shutil.copyfile(source, self._target(relative))
        self.written += 1

    def commit(self, finish: Callable[[Path], None] | None = None) -> None:
        """Swap the staged tree in; `finish` runs on it first (the search index)."""
        if finish:
            finish(self.root)
        _swap_in(self.root, self.output_dir)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _target(self, relative: PurePosixPath) -> Path:
        # The staging folder is new and holds no links, so a relative path
        # without '..' cannot leave it.
        if relative.is_absolute() or ".." in relative.parts:
            raise FolioError(f"refusing to write {relative}: it lies outside the output folder")
        path = self.root.joinpath(*relative.parts)
        if path.parent not in self._made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(path.parent)
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
