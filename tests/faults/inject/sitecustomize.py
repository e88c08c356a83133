"""Fault injection for Folio's I/O-error tests, loaded by any Python started with this
folder first on PYTHONPATH (Python imports `sitecustomize` at start-up).

FOLIO_FAULT="KIND:N:ERRNO[:FLAGS]" makes the N-th call (from 1) of KIND raise
OSError(ERRNO, strerror, path); FLAGS is a comma list of `persist` (every later call
of KIND fails too, as a full disk does) and `workers` (count in each forked worker
instead of the building process). KIND is one of:

  open    os.open and open()/io.open/Path.open for writing (mkstemp, touch included)
  write   os.write, os.pwrite to a regular file, and write()/writelines()/close() of a
          file opened for writing (a pipe to a worker is no disk)
  rename  os.rename, os.replace (Path.rename/replace) and renameat2 through ctypes
  link    os.link, os.symlink
  fsync   os.fsync, os.fdatasync
  mkdir   os.mkdir (os.makedirs and Path.mkdir go through it)
  copy    shutil.copyfile (shutil.copy, copy2)
  remove  os.unlink, os.remove, os.rmdir (shutil.rmtree, Path.unlink go through them)

Only the process that first armed the injector counts (the `folio build` process):
forked workers inherit the wrappers but pass calls through unless `workers` is given,
and a Python started later (Pagefind's wrapper) installs nothing. C and Rust code
(SQLite, Pagefind) is not reached: RLIMIT_FSIZE covers it. The photo threads share
the count under a lock, so an N hit among them may land on another call run to run.

FOLIO_FAULT_COUNT=FILE: count the calls of every kind; each counting process appends
one JSON line {"role", "counts"} to FILE as it exits (os._exit included).
FOLIO_FAULT_HIT=FILE: when a fault fires, append one JSON line naming the call and
the innermost frame of generator/ that made it.
"""

from __future__ import annotations

import atexit
import builtins
import ctypes
import errno
import io
import json
import os
import shutil
import stat
import sys
import threading
from collections.abc import Callable
from typing import Any

KINDS = ("open", "write", "rename", "link", "fsync", "mkdir", "copy", "remove")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class _Injector:
    def __init__(self, spec: str | None, count_file: str | None, hit_file: str | None) -> None:
        self.kind, self.nth, self.errno, self.persist, self.in_workers = _parse(spec)
        self.count_file, self.hit_file = count_file, hit_file
        self.owner = os.getpid()
        self.counts = dict.fromkeys(KINDS, 0)
        self.lock = threading.Lock()
        self.dumped = False

    def is_counting(self) -> bool:
        is_worker = os.getpid() != self.owner
        return is_worker == self.in_workers or (self.count_file is not None and is_worker)

    def check(self, kind: str, path: object = None) -> None:
        """Count a call of `kind`; raise the injected error when its turn has come."""
        if not self.is_counting():
            return
        with self.lock:
            self.counts[kind] += 1
            number = self.counts[kind]
        if kind != self.kind or (os.getpid() != self.owner) != self.in_workers:
            return
        if number == self.nth or (self.persist and number > self.nth):
            name = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else None
            self._record_hit(kind, number, name)
            raise OSError(self.errno, os.strerror(self.errno), name)

    def _record_hit(self, kind: str, number: int, path: str | None) -> None:
        if not self.hit_file or number != self.nth:
            return
        frame, where = sys._getframe(2), ""
        while frame is not None:
            if f"{os.sep}generator{os.sep}" in frame.f_code.co_filename:
                where = f"{frame.f_code.co_filename.rsplit(os.sep, 2)[-1]}:{frame.f_lineno}" \
                        f" {frame.f_code.co_name}"
                break
            frame = frame.f_back
        _append(self.hit_file, {"kind": kind, "n": number, "path": path, "where": where})

    def dump(self) -> None:
        if self.count_file and not self.dumped and self.is_counting():
            self.dumped = True
            role = "main" if os.getpid() == self.owner else "worker"
            _append(self.count_file, {"role": role, "pid": os.getpid(), "counts": self.counts})


def _parse(spec: str | None) -> tuple[str | None, int, int, bool, bool]:
    if not spec:
        return None, 0, 0, False, False
    kind, nth, name, *rest = spec.split(":")
    if kind not in KINDS:
        raise SystemExit(f"FOLIO_FAULT: unknown kind {kind!r}; expected one of {KINDS}")
    flags = set(rest[0].split(",")) if rest else set()
    return kind, int(nth), getattr(errno, name), "persist" in flags, "workers" in flags


def _append(path: str, record: dict[str, Any]) -> None:
    descriptor = _ORIGINAL_OPEN(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        _ORIGINAL_WRITE(descriptor, (json.dumps(record) + "\n").encode())
    finally:
        os.close(descriptor)


_ORIGINAL_OPEN = os.open
_ORIGINAL_WRITE = os.write


def _wrap(kind: str, function: Callable[..., Any], *, when: Callable[..., bool] | None = None,
          path_of: Callable[..., object] = lambda *a, **k: a[0] if a else None) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when is None or when(*args, **kwargs):
            _INJECTOR.check(kind, path_of(*args, **kwargs))
        return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__qualname__ = getattr(function, "__qualname__", function.__name__)
    wrapper.__doc__ = function.__doc__
    return wrapper


class _WritingFile:
    """A file opened for writing whose write, writelines and close are counted."""

    def __init__(self, file: Any, path: object) -> None:
        object.__setattr__(self, "_file", file)
        object.__setattr__(self, "_path", path)

    def write(self, data: Any) -> Any:
        _INJECTOR.check("write", self._path)
        return self._file.write(data)

    def writelines(self, lines: Any) -> None:
        _INJECTOR.check("write", self._path)
        self._file.writelines(lines)

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            _INJECTOR.check("write", self._path)
        except OSError:
            self._file.close()
            raise
        self._file.close()

    def __enter__(self) -> _WritingFile:
        self._file.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Any:
        return iter(self._file)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._file, name, value)


def _is_writing_mode(mode: str) -> bool:
    return any(flag in mode for flag in "wax+")


def _wrap_open(original: Callable[..., Any]) -> Callable[..., Any]:
    def opener(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if (not _is_writing_mode(mode) or not _INJECTOR.is_counting()
                or (isinstance(file, int) and not _is_file(file))):
            return original(file, mode, *args, **kwargs)
        _INJECTOR.check("open", file)
        return _WritingFile(original(file, mode, *args, **kwargs), file)

    opener.__name__ = original.__name__
    return opener


def _os_open_writes(path: object, flags: int, *args: Any, **kwargs: Any) -> bool:
    return bool(flags & _WRITE_FLAGS)


def _is_file(descriptor: int, *args: Any, **kwargs: Any) -> bool:
    """Whether `descriptor` is a regular file: a pipe to a worker fills no disk."""
    try:
        return stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError:
        return False


class _FaultyLibrary(ctypes.CDLL):
    """ctypes.CDLL whose renameat2 is counted as a rename (the atomic swap of output/)."""

    def __getattr__(self, name: str) -> Any:
        function = super().__getattr__(name)
        if name != "renameat2":
            return function

        def renameat2(*args: Any) -> Any:
            try:
                _INJECTOR.check("rename", args[1] if len(args) > 1 else None)
            except OSError as exc:
                ctypes.set_errno(exc.errno)
                return -1
            return function(*args)

        return renameat2


def _install() -> None:
    os.open = _wrap("open", os.open, when=_os_open_writes)
    os.write = _wrap("write", os.write, when=_is_file, path_of=lambda *a: None)
    os.pwrite = _wrap("write", os.pwrite, when=_is_file, path_of=lambda *a: None)
    os.rename = _wrap("rename", os.rename)
    os.replace = _wrap("rename", os.replace)
    os.link = _wrap("link", os.link, path_of=lambda *a, **k: a[1] if len(a) > 1 else None)
    os.symlink = _wrap("link", os.symlink, path_of=lambda *a, **k: a[1] if len(a) > 1 else None)
    os.fsync = _wrap("fsync", os.fsync, path_of=lambda *a: None)
    os.fdatasync = _wrap("fsync", os.fdatasync, path_of=lambda *a: None)
    os.mkdir = _wrap("mkdir", os.mkdir)
    os.unlink = _wrap("remove", os.unlink)
    os.remove = _wrap("remove", os.remove)
    os.rmdir = _wrap("remove", os.rmdir)
    shutil.copyfile = _wrap("copy", shutil.copyfile,
                            path_of=lambda *a, **k: a[1] if len(a) > 1 else None)
    builtins.open = _wrap_open(builtins.open)
    io.open = _wrap_open(io.open)
    ctypes.CDLL = _FaultyLibrary  # type: ignore[misc]
    original_exit = os._exit

    def exit_now(code: int) -> None:
        _INJECTOR.dump()
        original_exit(code)

    os._exit = exit_now  # type: ignore[assignment]
    atexit.register(_INJECTOR.dump)


def _armed() -> bool:
    """Whether this process arms the injector: the first Python of the run to start."""
    if not (os.environ.get("FOLIO_FAULT") or os.environ.get("FOLIO_FAULT_COUNT")):
        return False
    if os.environ.get("FOLIO_FAULT_OWNER"):
        return False
    os.environ["FOLIO_FAULT_OWNER"] = str(os.getpid())
    return True


if _armed():
    _INJECTOR = _Injector(os.environ.get("FOLIO_FAULT"), os.environ.get("FOLIO_FAULT_COUNT"),
                          os.environ.get("FOLIO_FAULT_HIT"))
    _install()
