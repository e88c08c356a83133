"""Publish to a local folder: copy the files whose bytes differ, delete stale ones when asked.

Each file is written beside its final name and renamed over it, so a reader of
the folder (a web server) never sees half a file; unchanged files are not
touched, keeping their modification times. A symbolic link inside the folder
is never written through, replaced or deleted: someone put it there on purpose
(a shared media folder, a web server's alias), and following it would write
outside the folder (into the site itself, say) while replacing it would undo
that setup unseen. Like git's "beyond a symbolic link", a publish that would
have to pass one is refused before anything is written, naming the link;
links the site does not reach are left alone.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..site.publish_targets import PublishError
from .local import directory_path
from .plan import Changes, Job, LocalFile, compare

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class _Holdings:
    """What the target folder holds, by path relative to it with '/' separators."""

    files: dict[str, Path]
    """Everything but symbolic links: regular files and the odd fifo or socket."""
    links: dict[str, Path]
    """Symbolic links, to files or folders; never followed."""


def publish(job: Job) -> Changes:
    root = directory_path(job.target.url, job.site_dir)
    try:
        held = _inventory(root)
        _refuse_links(job, held.links)
        changes = compare(job.files, held.files, _same, job.target.delete)
        if not job.dry_run:
            _copy(root, changes.uploads, job)
            _delete(root, changes.deletions)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise PublishError(job.target, f"{exc.strerror or exc}{where}") from None
    return changes


def _inventory(root: Path) -> _Holdings:
    files: dict[str, Path] = {}
    links: dict[str, Path] = {}
    if not root.exists():
        return _Holdings(files, links)
    if not root.is_dir():
        raise NotADirectoryError(20, "not a folder", str(root))
    for folder, dirs, names in os.walk(root):  # does not descend into links to folders
        for path in (Path(folder, name) for name in dirs if Path(folder, name).is_symlink()):
            links[path.relative_to(root).as_posix()] = path
        for path in (Path(folder, name) for name in names):
            (links if path.is_symlink() else files)[path.relative_to(root).as_posix()] = path
    return _Holdings(files, links)


def _refuse_links(job: Job, links: Mapping[str, Path]) -> None:
    """Refuse when a link lies on the way to a file of the site, or --delete would remove it."""
    reached = {prefix for file in job.files for prefix in _prefixes(file.path)}
    in_the_way = sorted(path for path in links if path in reached)
    stale = sorted(path for path in links if path not in reached) if job.target.delete else []
    if in_the_way:
        why = "publishing would write through or over it; remove it or publish elsewhere"
        raise PublishError(job.target, _link_message(links, in_the_way, why))
    if stale:
        why = "--delete would remove it; remove it yourself or publish without --delete"
        raise PublishError(job.target, _link_message(links, stale, why))


def _prefixes(path: str) -> Iterable[str]:
    """'a/b/c.html' -> 'a', 'a/b', 'a/b/c.html'."""
    parts = path.split("/")
    return ("/".join(parts[: i + 1]) for i in range(len(parts)))


def _link_message(links: Mapping[str, Path], paths: list[str], why: str) -> str:
    link = links[paths[0]]
    others = f" (and {len(paths) - 1} other links)" if len(paths) > 1 else ""
    return (
        f"{link} is a symbolic link (to {link.readlink()}){others}; "
        f"Folio never writes through, replaces or deletes a link in the target: {why}"
    )


def _same(file: LocalFile, there: Path) -> bool:
    if not there.is_file() or there.stat().st_size != file.size:
        return False
    with file.source.open("rb") as ours, there.open("rb") as theirs:
        while chunk := ours.read(_CHUNK):
            if chunk != theirs.read(_CHUNK):
                return False
    return True


def _copy(root: Path, files: Iterable[LocalFile], job: Job) -> None:
    files = tuple(files)
    job.progress.start("Copying", len(files))
    for file in files:
        target = root.joinpath(*file.path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.folio-{os.getpid()}")
        try:
            # "x": a link (or anything) already at this name fails instead of being followed.
            with file.source.open("rb") as ours, partial.open("xb") as theirs:
                shutil.copyfileobj(ours, theirs, _CHUNK)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        job.progress.advance()
    job.progress.finish()


def _delete(root: Path, paths: Iterable[str]) -> None:
    folders: set[Path] = set()
    for path in paths:
        target = root.joinpath(*path.split("/"))
        target.unlink()
        folders.update(target.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.is_relative_to(root) and folder != root and not any(folder.iterdir()):
            folder.rmdir()
