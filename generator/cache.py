"""What one build keeps for the next, under `.folio-cache/`.

- `articles.pickle`: every loaded article, keyed by source file, with the
  file facts it was loaded from, so an unchanged file is not parsed again.
- `pages.pickle`: the key of every page written and the templates each
  template loaded, so a page whose key is unchanged is linked, not rendered.
- `bodies.sqlite`: article bodies rendered to HTML, by digest; the index
  keeps only metadata, and renderers read bodies when they need them.

A cache written by another version of Folio, or unreadable, is discarded
with a notice and the build starts from nothing; it is never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Config
from .errors import ContentError, FolioError
from .model import Article

if TYPE_CHECKING:
    from .archive import RelatedArticles

CACHE_FORMAT = 1
"""Bump when anything cached changes shape; older caches are then discarded."""
CACHE_SALT = f"folio-cache-{CACHE_FORMAT}"
"""Mixed into digests of cached work, so a new format never matches old work."""
RACY_NS = 50_000_000
"""A file changed this close before a build started may have changed again
within the same file-system clock tick, unseen: it is not trusted as cached."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FileFacts:
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
class LoadedFile:
    """One Markdown file as the last build loaded it."""

    facts: FileFacts
    """The file when it was read."""
    depends_on: tuple[tuple[str, FileFacts | None], ...]
    """Other files the article was made from (its photo), with their facts then."""
    article: Article
    """The article it gave."""
    warnings: tuple[ContentError, ...]
    """Warnings it gave."""

    def is_current(self, path: Path, cached_at_ns: int) -> bool:
        """Whether `path` and what the article was made from are as they were when cached."""
        if self.facts.mtime_ns >= cached_at_ns - RACY_NS or FileFacts.of(path) != self.facts:
            return False
        return all(FileFacts.of(Path(dep)) == facts for dep, facts in self.depends_on)


@dataclass(slots=True)
class ArticleCache:
    """Loaded articles by path under content/, valid for one set of load settings."""

    settings: str
    """Digest of the configuration that shapes loading (time zone, permalink, ...)."""
    started_ns: int = 0
    """When the build that loaded these files started (wall clock)."""
    files: dict[str, LoadedFile] = field(default_factory=dict)


@dataclass(slots=True)
class PageCache:
    """What the last build wrote."""

    output: FileFacts | None = None
    """The output folder right after the last build swapped it in."""
    previous: FileFacts | None = None
    """The tree one build older (see write.Staging), right after that swap."""
    inputs: str = ""
    """Digest of every input's facts; equal next time means nothing to do."""
    files: dict[str, str] = field(default_factory=dict)
    """Every file of the output (relative path) to the key of what it holds."""
    behind: dict[str, str] = field(default_factory=dict)
    """The same for the tree one build older."""
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Internal links of every HTML page of the output, as the files they need."""
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Template name to every template its renderings loaded (itself included)."""
    built_at: datetime | None = None
    """The build's present (`Config.now`)."""
    related: RelatedArticles | None = None
    """The related articles the build computed, reused while their inputs hold."""
    next_change: datetime | None = None
    """The first moment after `built_at` when time alone changes the site: an
    article's publication time arrives, or it enters or leaves the news window."""


class Cache:
    """The cache folder of one site."""

    def __init__(self, root: Path, notices: list[str]) -> None:
        self.root = root
        self.notices = notices

    @property
    def bodies(self) -> Path:
        return self.root / "bodies.sqlite"

    def body_store(self) -> BodyStore:
        """The body store, emptied first if it is damaged."""
        store = BodyStore(self.bodies)
        try:
            problems = store.check()
        except sqlite3.DatabaseError as exc:
            problems = str(exc)
        if problems:
            self.notices.append(f"build cache bodies.sqlite is damaged ({problems}); rebuilding")
            store.close()
            self.bodies.unlink()
            store = BodyStore(self.bodies)
        return store

    def articles(self, settings: str) -> ArticleCache:
        found = self._read("articles.pickle", ArticleCache)
        if found is None or found.settings != settings:
            return ArticleCache(settings)
        return found

    def pages(self) -> PageCache:
        return self._read("pages.pickle", PageCache) or PageCache()

    def save_articles(self, articles: ArticleCache) -> None:
        self._write("articles.pickle", articles)

    def save_pages(self, pages: PageCache) -> None:
        self._write("pages.pickle", pages)

    def clear(self) -> None:
        for name in ("articles.pickle", "pages.pickle", self.bodies.name):
            (self.root / name).unlink(missing_ok=True)

    def _read(self, name: str, kind: type[T]) -> T | None:
        path = self.root / name
        try:
            with path.open("rb") as file:
                header = pickle.load(file)
                if header != _header():
                    self.notices.append(f"build cache {name} is from another Folio; rebuilding")
                    return None
                value = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as exc:  # any damage at all: never trust it
            self.notices.append(f"build cache {name} is damaged ({type(exc).__name__}); rebuilding")
            return None
        return value if isinstance(value, kind) else None

    def _write(self, name: str, value: Any) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".{name}.{os.getpid()}"
        with temporary.open("wb") as file:
            pickle.dump(_header(), file)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(self.root / name)


def inputs_digest(config: Config, themes: Iterable[Path]) -> str:
    """Digest of the facts of every file a build reads (Folio's own code included),
    and of the configuration."""
    roots = [config.content_dir, config.site_dir / "templates", config.site_dir / "static",
             *themes]
    facts: list[bytes | str] = [
        code_digest(),
        repr(replace(config, now=None)),
        (config.site_dir / "folio.toml").read_bytes(),
    ]
    for root in roots:
        for folder, names, files in os.walk(root):
            names.sort()
            for name in sorted(files):
                path = Path(folder) / name
                facts.append(os.fsencode(path) + repr(FileFacts.of(path)).encode())
    return digest(*facts)


def _header() -> tuple[str, int, str, str]:
    return ("folio-cache", CACHE_FORMAT, sys.version.split()[0], code_digest())


@functools.cache
def code_digest() -> str:
    """Digest of Folio's own code: another version never trusts this one's cache."""
    package = Path(__file__).parent
    return digest(*(f"{path}\0{FileFacts.of(path)}" for path in sorted(package.rglob("*.py"))))


class BodyStore:
    """Rendered article bodies by digest, in one SQLite file beside the other caches.

    One file rather than one per body: creating files is what a file system is
    slowest at. Each process opens its own connection when it first needs one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def check(self) -> str:
        """SQLite's own integrity check: '' when sound, else what it found."""
        db = self._db()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        if self.path.stat().st_size != pages * size:
            return "its size does not match its pages: cut short or extended"
        rows = db.execute("PRAGMA quick_check").fetchall()
        return "" if rows == [("ok",)] else "; ".join(str(row[0]) for row in rows[:3])

    def known(self) -> set[str]:
        """Digests of every body stored."""
        return {row[0] for row in self._db().execute("SELECT digest FROM body")}

    def add(self, bodies: Iterable[tuple[str, str]]) -> None:
        """Store (digest, html) pairs, in one transaction."""
        with self._db() as db:
            db.executemany("INSERT OR IGNORE INTO body VALUES (?, ?)", bodies)

    def read(self, digest: str) -> str:
        try:
            query = self._db().execute("SELECT html FROM body WHERE digest = ?", (digest,))
            row = query.fetchone()
        except sqlite3.DatabaseError as exc:
            raise FolioError(f"build cache {self.path} is damaged ({exc}); "
                             "run folio build --clean") from None
        if row is None:
            raise FolioError(f"build cache {self.path} lacks a body; run folio build --clean")
        return str(row[0])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=60)
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS body (digest TEXT PRIMARY KEY, html TEXT NOT NULL)"
            )
            self._pid = os.getpid()
        return self._connection


def digest(*parts: bytes | str) -> str:
    """A short stable digest of `parts`."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()
