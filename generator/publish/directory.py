"""Publish to a local folder: copy the files whose bytes differ, delete stale ones when asked.

Each file is written beside its final name and renamed over it, so a reader of
the folder (a web server) never sees half a file; unchanged files are not
touched, keeping their modification times.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .plan import Changes, Job, LocalFile, compare
from .target import PublishError

_CHUNK = 1 << 20


def publish(job: Job) -> Changes:
    root = destination(job.target.url, job.site_dir)
    _check_overlap(job, root)
    try:
        changes = compare(job.files, _inventory(root), _same, job.target.delete)
        if not job.dry_run:
            _copy(root, changes.uploads, job)
            _delete(root, changes.deletions)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise PublishError(job.target, f"{exc.strerror or exc}{where}") from None
    return changes


def destination(url: str, site_dir: Path) -> Path:
    """The folder a directory target names; relative ones start at the site folder."""
    path = unquote(urlsplit(url).path) if url.startswith("file:") else url
    return site_dir / Path(path).expanduser()


def _check_overlap(job: Job, root: Path) -> None:
    place, site, output = root.resolve(), job.site_dir.resolve(), job.output_dir.resolve()
    if site.is_relative_to(place) or place.is_relative_to(output):
        raise PublishError(
            job.target, f"{root} overlaps the site folder or output/; choose a folder of its own"
        )


def _inventory(root: Path) -> dict[str, Path]:
    if not root.exists():
        return {}
    if not root.is_dir():
        raise NotADirectoryError(20, "not a folder", str(root))
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = path
    return found


def _same(file: LocalFile, there: Path) -> bool:
    if there.is_symlink() or not there.is_file() or there.stat().st_size != file.size:
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
            shutil.copyfile(file.source, partial)
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
