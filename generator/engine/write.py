"""Bytes to disk: bring the tree beside `output/` up to date, then swap it in.

A build that fails or is killed leaves the previous `output/` as it was; on
Linux the swap is one atomic `renameat2(RENAME_EXCHANGE)`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from ..site.errors import FolioError, naming, step

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PROTECTED = ("folio.toml", "content", ".git")
_FOLDERS_REMEMBERED = 1024
_MARKER = ".folio-updating"
"""Present in a tree while a build changes it: such a tree is never trusted."""


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
    """The next `output/`: the tree one build older, brought up to date, swapped in whole.

    Two trees live side by side, `output/` and `.output.previous/`. A build updates
    the older one (files already right stay, files `output/` has right are linked,
    the rest written, the unwanted removed) and then exchanges the two atomically,
    so its cost follows what changed and a failed or killed build never touches
    `output/`. A tree left half-updated carries a marker and is rebuilt from nothing.
    """

    def __init__(self, output_dir: Path, holds: Mapping[str, str] | None,
                 current: Mapping[str, str]) -> None:
        """`holds`: key of every file the older tree holds, None when it is not known;
        `current`: the same for `output/` (empty when not known)."""
        _remove_leftovers(output_dir)
        self.output_dir = output_dir
        self.root = previous_tree(output_dir)
        marker = self.root / _MARKER
        self._fresh = holds is None or marker.exists() or not self.root.is_dir()
        """Whether the tree was started anew: then no file of it exists but those
        this build makes, each once, and a file is made right at its name."""
        if self._fresh or holds is None:
            shutil.rmtree(self.root, ignore_errors=True)
            holds = {}
        self.root.mkdir(parents=True, exist_ok=True)
        marker.touch()
        self.holds = dict(holds)
        self.current = current
        self.wanted: dict[str, str] = {}
        """Key of every file of the new tree."""
        self.written = 0
        """Files whose bytes were written (not already there or linked)."""
        self._root = str(self.root)
        self._output = str(output_dir)
        self._has_output = output_dir.is_dir()
        """Whether there is an `output/` to take files from (not on a first build)."""
        self._made: set[str] = {self._root}

    def keep(self, name: str, key: str) -> bool:
        """Keep the file (path relative to the tree) if either tree holds it as `key`
        says: it stays (it is right, or already `output/`'s own file), or is linked
        from `output/`. False when neither tree holds it."""
        if self.holds.get(name) == key or (
            self.current.get(name) == key and not self._fresh and self._shares(name)
        ):
            self.wanted[name] = key
            return True
        return self.current.get(name) == key and self._link(name, key)

    def _shares(self, name: str) -> bool:
        """Whether this tree's file is `output/`'s own, one file under two names. It
        is after a build that rendered every page again and found most bytes the
        same (a new Folio, a template's comment): each page's key changed, so without
        looking the next build would link the whole tree again."""
        try:
            return os.path.samestat(os.stat(os.path.join(self._root, name)),
                                    os.stat(self._current(name)))
        except OSError:
            return False

    def _link(self, name: str, key: str) -> bool:
        """Take the file from `output/` (it is right there); False when there is none."""
        try:
            self._replace(name, lambda temporary: os.link(self._current(name), temporary))
        except OSError:
            return False
        self.wanted[name] = key
        return True

    def put(self, name: str, data: bytes, key: str) -> None:
        """Make the file hold `data`, writing only when neither tree has those bytes."""
        if not ((not self._fresh and _holds(os.path.join(self._root, name), data))
                or (self._has_output and _holds(self._current(name), data)
                    and self._link(name, key))):
            self._replace(name, lambda temporary: _write_file(temporary, data))
            self.written += 1
        self.wanted[name] = key

    def copy(self, name: str, source: Path, key: str) -> None:
        self._replace(name, lambda temporary: _copy_file(str(source), temporary))
        self.written += 1
        self.wanted[name] = key

    def take_folder(self, name: str, probe: str) -> bool:
        """Make a folder `output/`'s (a shard of the search index), unless it is already:
        its file `probe` is `output/`'s own, so it was linked whole from it. False when
        `output/` has no such folder."""
        current = self._current(name)
        if not os.path.isdir(current):
            return False
        if not self._fresh and self._shares(f"{name}/{probe}"):
            return True
        self.clear_folder(name)
        shutil.copytree(current, os.path.join(self._root, name), copy_function=os.link)
        return True

    def clear_folder(self, name: str) -> None:
        shutil.rmtree(os.path.join(self._root, name), ignore_errors=True)

    def commit(self, finish: Callable[[Path], None] | None = None) -> None:
        """Drop unwanted files, run `finish` on the tree (the search index), swap it in."""
        for name in sorted(set(self.holds) - set(self.wanted)):
            _remove_with_empty_folders(self.root / name, self.root)
        if finish:
            finish(self.root)
        with step(f"swapping the new site into {self.output_dir}"):
            (self.root / _MARKER).unlink()
            _swap_in(self.root, self.output_dir)

    def _current(self, name: str) -> str:
        return os.path.join(self._output, name)

    def _replace(self, name: str, make: Callable[[str], object]) -> None:
        """Make the file under a temporary name, then rename it over the old one, so a
        file shared with `output/` through a link is never changed in place (in a
        tree started anew no file is there yet, so it is made at its name)."""
        target = self._target(name)
        if self._fresh:
            with naming(target):
                make(target)
            return
        folder, file = os.path.split(target)
        temporary = os.path.join(folder, f".{file}.folio-new")
        _unlink(temporary)
        with naming(temporary):
            make(temporary)
        os.replace(temporary, target)
        # rename() between two links to one file does nothing: drop the spare name.
        _unlink(temporary)

    def _target(self, name: str) -> str:
        if name.startswith("/") or ".." in name.split("/"):
            raise FolioError(f"refusing to write {name}: it lies outside the output folder")
        path = os.path.join(self._root, name)
        self._make_folder(os.path.dirname(path))
        if not self._fresh and os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)  # a folder of the old tree where a file is wanted now
        return path

    def _make_folder(self, folder: str) -> None:
        """Make `folder` and those above it, parents first (no failed tries); the
        folders made last are remembered, not all: nearly every page has its own."""
        if folder in self._made:
            return
        parent = os.path.dirname(folder)
        if parent != folder:
            self._make_folder(parent)
        if self._fresh or not _is_folder(folder):
            with contextlib.suppress(FileExistsError):  # made before it was forgotten
                os.mkdir(folder)
        if len(self._made) >= _FOLDERS_REMEMBERED:
            self._made = {self._root}
        self._made.add(folder)


def previous_tree(output_dir: Path) -> Path:
    """Where the tree one build older than `output_dir` lives."""
    return output_dir.parent / f".{output_dir.name}.previous"


def _holds(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _is_folder(path: str) -> bool:
    """Whether `path` is a folder; a file or link of the old tree in its place is removed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        return True
    os.unlink(path)
    return False


def _write_file(path: str, data: bytes) -> None:
    # os-level calls: a Python file object costs more than the writing, page after page.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        _check_size(path, os.fstat(descriptor).st_size, len(data))
    finally:
        os.close(descriptor)


def _copy_file(source: str, path: str) -> None:
    shutil.copyfile(source, path)
    _check_size(path, os.stat(path).st_size, os.stat(source).st_size)


def _check_size(path: str, size: int, expected: int) -> None:
    """Fail when the file system kept fewer (or more) bytes than were written."""
    if size != expected:
        raise OSError(errno.EIO, f"holds {size} bytes after {expected} were written", path)


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove_with_empty_folders(path: Path, root: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except (NotADirectoryError, IsADirectoryError):
        return  # a wanted file took the name of its folder, or a wanted folder its name
    folder = path.parent
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Make `staging` the new `output_dir`; the old tree ends up at `staging`.

    Where the kernel cannot exchange two folders in one step, three renames do.
    """
    if not output_dir.exists():
        staging.rename(output_dir)
        return
    if _exchange(staging, output_dir):
        return
    parked = output_dir.parent / f".{output_dir.name}.old-{os.getpid()}"
    output_dir.rename(parked)
    try:
        staging.rename(output_dir)
    except OSError:
        parked.rename(output_dir)
        raise
    with contextlib.suppress(OSError):  # the new site is in: a later build clears what is left
        parked.rename(staging)


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
    """Delete trees parked by a three-rename swap that was killed (its process is gone)."""
    for leftover in output_dir.parent.glob(f".{output_dir.name}.old-*"):
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
