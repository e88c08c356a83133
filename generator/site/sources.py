"""The files under `content/`: Markdown sources and assets, found in one walk.

Kept free of parsing so that a build with nothing to do imports little: the
walk and the facts of each file are all it needs to know that.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from .digests import digest
from .errors import ContentError

PROFILE_FOLDER = "authors/"
"""Where author profiles live under content/: never stories."""
_BACKUP_ENDINGS = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")
"""Editor backups and swap files, never sources (with Emacs's #autosave# files)."""


class FileFacts(NamedTuple):
    """What identifies one version of a file without reading it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileFacts | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return cls(info.st_size, info.st_mtime_ns, info.st_ino)


@dataclass(frozen=True, slots=True)
class Asset:
    """A non-Markdown file under content/ (an image), copied to the same path."""

    source: Path
    url: str


class Source(NamedTuple):  # a tuple: made for every file of content/ on every build
    """A Markdown file under content/."""

    relative: str
    """Path under content/ with forward slashes: the article's id."""
    facts: FileFacts


@dataclass(slots=True)
class Sources:
    """What the walk of content/ found."""

    markdown: list[Source] = field(default_factory=list)
    """Stories: every Markdown file but the profiles."""
    profiles: list[Source] = field(default_factory=list)
    """Author profiles: Markdown files under content/authors/ (see people.py)."""
    assets: list[Asset] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    """Files that cannot be sources: names that are not UTF-8, links leading out."""

    def digest(self) -> str:
        """Digest of every file's name and facts: equal means no file changed."""
        return digest(
            *(f"{s.relative}\0{s.facts.size} {s.facts.mtime_ns} {s.facts.inode}"
              for s in self.markdown),
            self.others_digest(),
        )

    def others_digest(self) -> str:
        """The same for everything but the stories: profiles, assets and bad names.
        A quick rebuild needs these unchanged: a profile shows on many pages."""
        return digest(
            *(f"{s.relative}\0{s.facts}" for s in self.profiles),
            *(f"{a.source}\0{FileFacts.of(a.source)}" for a in self.assets),
            *(str(e) for e in self.errors),
        )

    def newest_ns(self) -> int:
        """The latest change time of any Markdown file."""
        return max((s.facts.mtime_ns for s in (*self.markdown, *self.profiles)), default=0)


def find_sources(root: Path) -> Sources:
    """Markdown files and assets under `root`, in a stable order; bad names as errors.

    The walk keeps a name and three numbers per file, no more: the workers that
    render are forked after it, and inherit whatever it leaves in this process.
    Holding a large folder's `os.DirEntry` objects all at once, to sort them, would
    take much memory, most of it never given back."""
    found = Sources()
    if not root.is_dir():
        found.errors.append(ContentError("content", "no content/ folder in the site"))
        return found
    real_root = root.resolve()
    for relative, path, info in _walk(str(root), ""):
        if not (relative.isascii() or _utf8(relative)):
            shown = relative.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            found.errors.append(ContentError(
                f"content/{shown}", "file name is not UTF-8; rename the file"
            ))
        elif stat.S_ISLNK(info.st_mode) and not _leads_inside(Path(path), real_root):
            found.errors.append(
                ContentError(
                    f"content/{relative}",
                    "is a link to something outside content/ (or to nothing, or a loop)",
                )
            )
        else:
            _add(found, relative, path, info)
    return found


def _add(found: Sources, relative: str, path: str, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(path)
        except OSError:
            return  # gone since the walk saw it
        if stat.S_ISDIR(info.st_mode):
            return  # a link to a folder inside content/: walked as itself already
    if relative[-3:].lower() == ".md":
        source = Source(relative, FileFacts(info.st_size, info.st_mtime_ns, info.st_ino))
        is_profile = relative.startswith(PROFILE_FOLDER)
        (found.profiles if is_profile else found.markdown).append(source)
    else:
        found.assets.append(Asset(Path(path), quote("/" + relative)))


def _walk(folder: str, prefix: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """Files under `folder` in a stable order, as (path under the root, path, `lstat`),
    skipping hidden files and editor backups; `prefix` is `folder` under the root.

    Linked folders are yielded, not entered: one pointing outside content/ is an
    error for the caller to report, one pointing inside would be walked twice.
    """
    for name in sorted(os.listdir(folder)):
        if name.startswith(".") or name.endswith(_BACKUP_ENDINGS) or (
                len(name) > 1 and name.startswith("#") and name.endswith("#")):
            continue
        path = f"{folder}/{name}"
        try:
            info = os.lstat(path)
        except OSError:
            continue  # gone since the folder was listed
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, f"{prefix}{name}/")
        elif stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
            yield f"{prefix}{name}" if prefix else name, path, info


def is_file_within(file: Path, folder: Path) -> bool:
    """Whether `file` is a file inside `folder` (a resolved path), links followed."""
    try:
        return file.is_file() and file.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # too long a name, a loop of links
        return False


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _leads_inside(path: Path, real_root: Path) -> bool:
    # _walk enters no linked folder, so only a link itself can lead outside.
    try:
        return path.resolve(strict=True).is_relative_to(real_root)
    except (OSError, RuntimeError):  # a loop of links, or a link to nothing
        return False
