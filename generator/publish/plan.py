"""What a publish does: the built files, how they compare with a target, and the summary line.

Every kind of target reports a `Changes`: the files it uploads (new and
changed, pages last so that they never link to an asset not there yet), how
many it leaves alone, and what it deletes (last of all, and only when asked).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..site.errors import FolioError
from ..site.progress import Progress
from ..site.publish_targets import PublishTarget

RemoteT = TypeVar("RemoteT")

DOCUMENT_SUFFIXES = (".html", ".xml", ".txt", ".json")
"""Pages, feeds, sitemaps, robots.txt, search data: URLs that stay when their content changes."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One file of the built site."""

    path: str
    """Its path under output/ with '/' separators: the path or key it gets at the target."""
    source: Path
    """The file on disk."""
    size: int
    """Its length in bytes."""


@dataclass(frozen=True, slots=True)
class Changes:
    """What a publish does (or, in a dry run, would do) to a target."""

    added: tuple[LocalFile, ...]
    """Files the target lacks."""
    changed: tuple[LocalFile, ...]
    """Files the target holds with other content."""
    unchanged: int
    """How many files the target already holds as they are."""
    stale: tuple[str, ...]
    """Paths the target holds that output/ lacks."""
    deleting: bool
    """Whether `stale` paths are deleted (--delete) or kept."""

    @property
    def uploads(self) -> tuple[LocalFile, ...]:
        """New and changed files in upload order: assets first, then pages."""
        return tuple(sorted(self.added + self.changed, key=upload_order))

    @property
    def deletions(self) -> tuple[str, ...]:
        return self.stale if self.deleting else ()

    @property
    def sent_bytes(self) -> int:
        return sum(f.size for f in self.added + self.changed)

    @property
    def is_empty(self) -> bool:
        return not self.uploads and not self.deletions


@dataclass(frozen=True, slots=True)
class Job:
    """One publish, as every kind of target receives it."""

    target: PublishTarget
    """Where the site goes."""
    files: tuple[LocalFile, ...]
    """The built site."""
    output_dir: Path
    """The folder `files` lie in."""
    site_dir: Path
    """The site folder, where relative paths in folio.toml start."""
    cache_dir: Path
    """Where work worth keeping between publishes goes (the git target's object store)."""
    dry_run: bool
    """Work out what would change, change nothing."""
    progress: Progress
    """Counts uploads on a terminal."""


def is_document(path: str) -> bool:
    return path.endswith(DOCUMENT_SUFFIXES)


def upload_order(file: LocalFile) -> tuple[bool, str]:
    return is_document(file.path), file.path


def site_files(output_dir: Path) -> tuple[LocalFile, ...]:
    """Every file of the built site; refuses an output folder without index.html."""
    if not (output_dir / "index.html").is_file():
        raise FolioError(
            f"{output_dir} holds no built site (no index.html); "
            "run folio build first, or publish with --build"
        )
    return tuple(sorted(_walk(output_dir), key=lambda f: f.path))


def _walk(root: Path) -> Iterable[LocalFile]:
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if path.is_file():
                relative = path.relative_to(root).as_posix()
                yield LocalFile(relative, path, path.stat().st_size)


def compare(
    files: Iterable[LocalFile],
    remote: Mapping[str, RemoteT],
    same: Callable[[LocalFile, RemoteT], bool],
    delete: bool,
) -> Changes:
    """Sort `files` by what the target holds: `remote` maps its paths to what `same` compares."""
    added, changed, unchanged = [], [], 0
    local = set()
    for file in files:
        local.add(file.path)
        if file.path not in remote:
            added.append(file)
        elif same(file, remote[file.path]):
            unchanged += 1
        else:
            changed.append(file)
    stale = tuple(sorted(set(remote) - local))
    return Changes(tuple(added), tuple(changed), unchanged, stale, delete)


def report(target: PublishTarget, changes: Changes, dry_run: bool) -> list[str]:
    """The lines `folio publish` prints: a dry run's list of changes, then one summary line."""
    summary = _summary(target, changes, dry_run)
    if not dry_run:
        return [summary]
    return [
        *(f"upload  {f.path}" for f in sorted(changes.added, key=upload_order)),
        *(f"change  {f.path}" for f in sorted(changes.changed, key=upload_order)),
        *(f"delete  {path}" for path in changes.deletions),
        summary,
    ]


def _summary(target: PublishTarget, changes: Changes, dry_run: bool) -> str:
    uploaded, deleted = len(changes.uploads), len(changes.deletions)
    counts = (
        f"{uploaded} uploaded ({size_text(changes.sent_bytes)}), "
        f"{changes.unchanged} unchanged, {deleted} deleted"
    )
    if dry_run:
        line = f"Dry run for {target.name}: would be {counts}; nothing was changed."
    elif changes.is_empty:
        line = f"Published to {target.name}: {counts}; nothing changed."
    else:
        line = f"Published to {target.name}: {counts}."
    kept = len(changes.stale) if not changes.deleting else 0
    if kept:
        files = f"{kept} file{'s' if kept != 1 else ''}"
        line += f" Kept {files} there that output/ lacks (--delete removes them)."
    return line


def size_text(count: int) -> str:
    """Bytes for people: 0 B, 812 B, 12.4 kB, 3.1 MB."""
    if count < 1000:
        return f"{count} B"
    value, units = count / 1000, ["kB", "MB", "GB", "TB"]
    while value >= 1000 and len(units) > 1:
        value, units = value / 1000, units[1:]
    return f"{value:.1f} {units[0]}"
