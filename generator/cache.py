"""What one build keeps for the next, under `.folio-cache/`.

- `store-<format>.sqlite`: one row per loaded Markdown file (the article it
  gave, with the file facts it was loaded from and the digest of its bytes, so
  an unchanged file is not parsed again, nor one rewritten with the same bytes),
  article bodies rendered to HTML, by digest (the index keeps only metadata;
  renderers read bodies when they need them).
- `pages.pickle`: what the last build wrote: the key of every file, the
  templates each template loaded, the facts of every input. Its head alone
  says whether anything changed, so a build with nothing to do reads little.
- `templates/`: templates compiled by Jinja.
- `plan.pickle`: the last full build's plan: the index (less the articles),
  which pages show each article, and where each page is in `plan-pages.bin`.
  Reused while no article changes in a way that moves pages (see `shape`).
- `plan-pages.bin`: that plan's pages, one pickle after another, written while
  the build renders; a quick rebuild reads back only those it renders.

A cache written by another version of Folio, of Python or of any library
installed beside it (see `toolchain_digest`), or unreadable, is discarded with a
notice and the build starts from nothing; it is never trusted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import shutil
import sqlite3
import sys
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .config import Config
from .errors import ContentError, FolioError
from .links import PageLinks
from .model import Article, Page, pickled_by_fields

if TYPE_CHECKING:
    from .archive import SiteIndex

CACHE_FORMAT = 5
"""Bump when anything cached changes shape; older caches are then discarded."""
CACHE_SALT = f"folio-cache-{CACHE_FORMAT}"
"""Mixed into digests of cached work, so a new format never matches old work."""
STORE_FILE = f"store-{CACHE_FORMAT}.sqlite"
"""The store's name carries its format: its tables change with it, and a Folio of
another format (an upgrade, or a downgrade) must never open this one."""
COMPILED_TEMPLATES = "templates"
"""Folder of the cache where Jinja keeps compiled templates (see render.py)."""
PLAN_PAGES = "plan-pages.bin"
"""The pages of the last full build's plan (see `PlanPagesWriter`)."""
RACY_NS = 50_000_000
"""A file changed this close before a build started may have changed again
within the same file-system clock tick, unseen: it is not trusted as cached."""

T = TypeVar("T")


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


Depends = tuple[tuple[str, FileFacts | None], ...]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One Markdown file as a build loaded it."""

    facts: FileFacts
    """The file when it was read."""
    depends_on: Depends
    """Other files the article was made from (its photo), with their facts then."""
    article: Article
    """The article it gave."""
    warnings: tuple[ContentError, ...]
    """Warnings it gave."""
    content: str
    """Digest of the file's bytes as read."""
    digest: str
    """`article_digest` of the article."""
    shape: str
    """`shape` of the article: what it contributes to the set and order of pages."""


@dataclass(frozen=True, slots=True)
class StoredSource:
    """A row of the store: what is known of one loaded file without unpickling it."""

    facts: FileFacts
    depends_on: Depends
    cached_ns: int
    """When the build that loaded it started (wall clock)."""
    content: str
    """Digest of the file's bytes when it was loaded (`LoadedFile.content`)."""

    def is_current(self, facts: FileFacts) -> bool:
        """Whether the file (now `facts`) and its photo are as they were when loaded."""
        if self.facts.mtime_ns >= self.cached_ns - RACY_NS or facts != self.facts:
            return False
        return self.photo_is_current()

    def photo_is_current(self) -> bool:
        return all(FileFacts.of(Path(dep)) == known for dep, known in self.depends_on)


def article_digest(article: Article) -> str:
    """Digest of everything an article is; equal digests, equal article."""
    # repr, not pickle: pickle's bytes depend on which equal objects are shared.
    return digest(repr(article))


def shape(article: Article, depends_on: Depends) -> str:
    """Digest of what an article contributes to the set and order of pages.

    Everything but what only its own page, cards and feed entries print: two
    versions of the same shape give the same plan, so an edit of a body, dek or
    kicker reuses the last plan (`plan.pickle`) and renders only the pages that
    show the article. The headline stays in: `related` entries match it.
    """
    plain = replace(article, body_digest="", summary="", dek="", publication="",
                    corrections=(), extra={}, lines={})
    return digest(repr(plain), repr(depends_on))


@dataclass(slots=True)
class Freshness:
    """Enough of the last build to tell that nothing changed since, read first."""

    frame: str = ""
    """Digest of everything but content/: configuration, code, templates, static files."""
    sources: str = ""
    """Digest of the names and facts of every file under content/ (`Sources.digest`)."""
    output: FileFacts | None = None
    """The output folder right after the last build swapped it in."""
    started_ns: int = 0
    """When the last build started (wall clock): a file changed just before may have
    changed again within the same clock tick, unseen in its facts."""
    built_at: datetime | None = None
    """The build's present (`Config.now`)."""
    next_change: datetime | None = None
    """The first moment after `built_at` when time alone changes the site: an
    article's publication time arrives, or it enters or leaves the news window."""

    def holds(self, frame: str, sources: str, newest_ns: int, output: FileFacts | None,
              present: datetime) -> bool:
        """Whether a build with these inputs, now, would do exactly what the last one did
        (`newest_ns`: the latest change time of any source file)."""
        return (
            self.frame == frame
            and self.sources == sources
            and newest_ns < self.started_ns - RACY_NS
            and self.output is not None
            and self.output == output
            and self.in_force(present)
        )

    def in_force(self, present: datetime) -> bool:
        """Whether time alone has changed nothing since the last build."""
        return (self.built_at is not None and self.built_at <= present
                and (self.next_change is None or present < self.next_change))


@dataclass(slots=True)
class PageCache:
    """What the last build wrote, and from what."""

    fresh: Freshness = field(default_factory=Freshness)
    previous: FileFacts | None = None
    """The tree one build older (see write.Staging), right after that swap."""
    files: dict[str, str] = field(default_factory=dict)
    """Every file of the output (relative path) to the key of what it holds."""
    behind: dict[str, str] = field(default_factory=dict)
    """The same for the tree one build older."""
    links: PageLinks = field(default_factory=PageLinks)
    """Internal links of HTML pages, as the files they need: of every page after a
    full build, of the pages rendered after a quick one. Kept in the store, where
    a quick rebuild updates only the pages it rendered (see `Store.links`)."""
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Template name to every template its renderings loaded (itself included)."""
    sources: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Facts of every Markdown file the output was built from (plain tuples, which
    pickle fast; equal to the `FileFacts` they came from)."""
    assets: str = ""
    """Digest of the other files of content/ it was built from (`Sources.others_digest`)."""
    digests: dict[str, str] = field(default_factory=dict)
    """Digest of every loaded article (by id), as page keys use them."""
    warnings: dict[str, tuple[ContentError, ...]] = field(default_factory=dict)
    """Warnings of each Markdown file that had some."""
    plan: str = ""
    """Token of the `SavedPlan` the output was built to."""


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """The last full build's plan: its index, and where its pages are in the store."""

    token: str
    """Which build saved it (`PageCache.plan`); the store's pages carry it too."""
    index: SiteIndex
    """The index with no articles: the current ones are put in when it is reused."""
    page_offsets: bytes
    """Where each page starts in plan-pages.bin, and where the last ends: the bytes
    of an `array("Q")`."""
    shapes: dict[str, str]
    """`shape` of every loaded article, by id."""
    uses: dict[str, bytes]
    """For each article id, the positions in the plan of the pages showing it, as
    the bytes of an `array("I")` (a hundred thousand tuples of ints load slowly)."""

    @property
    def page_count(self) -> int:
        """How many pages the plan has."""
        return len(self.page_offsets) // array("Q").itemsize - 1

    def pages_showing(self, article_ids: Iterable[str]) -> list[int]:
        """Positions of the pages that show any of `article_ids`, in plan order."""
        found: set[int] = set()
        for article_id in article_ids:
            found.update(array("I", self.uses.get(article_id, b"")))
        return sorted(found)


def pickled_page(page: Page) -> bytes:
    return pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)


class PlanPagesWriter:
    """Writes a full build's pages to plan-pages.bin one at a time, as the build
    renders them, so saving the plan adds next to nothing after the last page; notes
    on the way which pages show each article (`SavedPlan.uses`)."""

    def __init__(self, root: Path, token: str, pages: Sequence[Page]) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._pages = pages
        self._temporary = root / f".{PLAN_PAGES}.{os.getpid()}"
        self._final = root / PLAN_PAGES
        self._file = self._temporary.open("wb")
        head = pickle.dumps((_header(), token))
        self._file.write(head)
        self.offsets = array("Q", [len(head)])
        self.uses: dict[str, array[int]] = {}
        self._sent: dict[int, bytes] = {}
        """Pages pickled before their turn here, to send to a worker, by id."""

    def pickled(self, page: Page) -> bytes:
        """`page` (one of this plan's) pickled, and kept until its turn to be written:
        a page sent to a worker is pickled once, for both."""
        data = self._sent[id(page)] = pickled_page(page)
        return data

    def step(self) -> None:
        """Write the next page, if one is left."""
        position = len(self.offsets) - 1
        if position < len(self._pages):
            page = self._pages[position]
            data = self._sent.pop(id(page), None) or pickled_page(page)
            self._file.write(data)
            self.offsets.append(self.offsets[-1] + len(data))
            for article_id in page.shown_articles():
                positions = self.uses.get(article_id)
                if positions is None:  # not setdefault: that would make an array each time
                    positions = self.uses[article_id] = array("I")
                positions.append(position)

    def finish(self) -> None:
        """Write the pages left, and put the file in place."""
        for _ in range(len(self._pages) + 1 - len(self.offsets)):
            self.step()
        self._pages = ()
        self._sent = {}
        self._file.close()
        self._temporary.replace(self._final)

    def abandon(self) -> None:
        """Leave plan-pages.bin as it was (the build failed)."""
        self._pages = ()
        self._sent = {}
        self._file.close()
        self._temporary.unlink(missing_ok=True)


class Cache:
    """The cache folder of one site."""

    def __init__(self, root: Path, notices: list[str]) -> None:
        self.root = root
        self.notices = notices

    @property
    def store_path(self) -> Path:
        return self.root / STORE_FILE

    def store(self, settings: str) -> Store:
        """The store, emptied first if it is damaged; its sources dropped when they
        were loaded with other `settings` (see content.load_settings). Stores of
        other cache formats are deleted: none will be read again."""
        delete_others(self.root, "store*.sqlite*", STORE_FILE)
        store = Store(self.store_path)
        try:
            problems = store.check()
        except sqlite3.DatabaseError as exc:
            problems = str(exc)
        if problems:
            self._notice(f"build cache {self.store_path.name} is damaged ({problems}); "
                         "rebuilding")
            store.close()
            self.store_path.unlink()
            store = Store(self.store_path)
            store.emptied = True
        store.emptied |= not store.use_settings(settings)
        return store

    def freshness(self) -> Freshness:
        """The head of pages.pickle alone; cheap."""
        return self._read("pages.pickle", Freshness, parts=1) or Freshness()

    def pages(self) -> PageCache:
        found = self._read("pages.pickle", PageCache) or PageCache()
        found.behind = _patched(found.files, found.behind)
        return found

    def plan(self, token: str) -> SavedPlan | None:
        """The plan `token` names, if plan.pickle still holds it."""
        found = self._read("plan.pickle", SavedPlan, parts=1) if token else None
        return found if found is not None and found.token == token else None

    def save_pages(self, pages: PageCache, store: Store, every_page: bool) -> None:
        """Save what a build wrote; `every_page`: its links are those of every page."""
        store.save_links(pages.links, every_page)
        fresh, links, behind = pages.fresh, pages.links, pages.behind
        # The older tree differs from output/ in the few files the build changed.
        pages.fresh, pages.links, pages.behind = (Freshness(), PageLinks(),
                                                   _patch(pages.files, behind))
        try:
            self._write("pages.pickle", fresh, pages)
        finally:
            pages.fresh, pages.links, pages.behind = fresh, links, behind

    def write_plan_pages(self, token: str, pages: Sequence[Page]) -> PlanPagesWriter:
        """Where the pages of the plan `token` go, as the build renders them."""
        return PlanPagesWriter(self.root, token, pages)

    def save_plan(self, plan: SavedPlan) -> None:
        self._write("plan.pickle", plan)

    def pages_of(self, plan: SavedPlan, positions: Iterable[int]) -> list[Page] | None:
        """The pages at `positions` of `plan`; None when plan-pages.bin is not that
        plan's or is damaged (then with a notice)."""
        offsets = array("Q", plan.page_offsets)
        try:
            with (self.root / PLAN_PAGES).open("rb") as file:
                if pickle.load(file) != (_header(), plan.token):
                    return None
                if os.fstat(file.fileno()).st_size != offsets[-1]:
                    raise ValueError("cut short or extended")
                found = []
                for position in positions:
                    file.seek(offsets[position])
                    page = pickle.loads(file.read(offsets[position + 1] - offsets[position]))
                    if not isinstance(page, Page):
                        raise TypeError(type(page).__name__)
                    found.append(page)
                return found
        except FileNotFoundError:
            return None
        except Exception as exc:  # any damage at all: never trust it
            self._notice(f"build cache {PLAN_PAGES} is damaged ({type(exc).__name__}); "
                         "rebuilding")
            return None

    def clear(self) -> None:
        for name in ("pages.pickle", "plan.pickle", PLAN_PAGES, self.store_path.name):
            (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.root / COMPILED_TEMPLATES, ignore_errors=True)

    def _notice(self, message: str) -> None:
        """Tell the writer once, however often a build looks at the same file."""
        if message not in self.notices:
            self.notices.append(message)

    def _read(self, name: str, kind: type[T], parts: int = 2) -> T | None:
        """The value in `name`: its head when `parts` is 1, else head and body joined."""
        path = self.root / name
        try:
            with path.open("rb") as file:
                if pickle.load(file) != _header():
                    self._notice(f"build cache {name} was made by another version of Folio, "
                                 "Python or a library; rebuilding")
                    return None
                value = pickle.load(file)
                if parts == 2:
                    value = _joined(value, pickle.load(file))
        except FileNotFoundError:
            return None
        except Exception as exc:  # any damage at all: never trust it
            self._notice(f"build cache {name} is damaged ({type(exc).__name__}); rebuilding")
            return None
        return value if isinstance(value, kind) else None

    def _write(self, name: str, *values: Any) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".{name}.{os.getpid()}"
        with temporary.open("wb") as file:
            pickle.dump(_header(), file)
            for value in values:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(self.root / name)


def _joined(head: Any, body: Any) -> Any:
    """pages.pickle is written as its Freshness, then the rest: put them back together."""
    if isinstance(head, Freshness) and isinstance(body, PageCache):
        body.fresh = head
        return body
    return head if body is None else body


_GONE = ""
"""In a patch of one file map against another: the file is not in the patched map."""


def _patch(base: Mapping[str, str], target: Mapping[str, str]) -> dict[str, str]:
    """What turns `base` into `target` (see `_patched`)."""
    patch = {name: key for name, key in target.items() if base.get(name) != key}
    patch.update((name, _GONE) for name in base.keys() - target.keys())
    return patch


def _patched(base: Mapping[str, str], patch: Mapping[str, str]) -> dict[str, str]:
    found = {**base, **patch}
    for name, key in patch.items():
        if key == _GONE:
            del found[name]
    return found


def frame_digest(config: Config, themes: Iterable[Path]) -> str:
    """Digest of every input but content/: Folio's own code, the configuration, and
    the facts of every template and static file."""
    roots = [config.site_dir / "templates", config.site_dir / "static", *themes]
    facts: list[bytes | str] = [
        toolchain_digest(),
        repr(replace(config, now=None, output_dir=Path())),  # where it goes is no input
        (config.site_dir / "folio.toml").read_bytes(),
    ]
    for root in roots:
        for folder, names, files in os.walk(root):
            names.sort()
            for name in sorted(files):
                path = Path(folder) / name
                facts.append(os.fsencode(path) + repr(FileFacts.of(path)).encode())
    return digest(*facts)


def _header() -> tuple[str, int, str]:
    return ("folio-cache", CACHE_FORMAT, toolchain_digest())


def delete_others(folder: Path, pattern: str, current: str) -> None:
    """Delete the files of `folder` matching `pattern` whose names do not start with
    `current`: those a cache of another format or toolchain left, never read again."""
    for other in folder.glob(pattern):
        if not other.name.startswith(current):
            other.unlink(missing_ok=True)


def toolchain_digest() -> str:
    """Digest of what turns the same inputs into other bytes: Folio's own code,
    Python, and every distribution installed beside Folio (markdown-it-py, Jinja,
    Pillow, Pagefind...). A cache made with any of them at another version is
    never trusted: an upgrade may render the same Markdown differently."""
    return digest(_code_digest(), sys.version, *_installed())


@functools.cache
def _code_digest() -> str:
    package = Path(__file__).parent
    return digest(*(f"{path}\0{FileFacts.of(path)}" for path in sorted(package.rglob("*.py"))))


def _installed() -> list[str]:
    """The metadata folders of the distributions in the site-packages folders Python
    imports from; their names carry each distribution's version (0.1 ms)."""
    found: list[str] = []
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            with contextlib.suppress(OSError):
                found += (p.name for p in Path(entry).iterdir()
                          if p.name.endswith((".dist-info", ".egg-info")))
    return sorted(found)


class Store:
    """Loaded Markdown files and rendered bodies, in one SQLite file.

    One file rather than one per article or body: creating files is what a file
    system is slowest at, and a rebuild reads and writes single rows. Each
    process opens its own connection when it first needs one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.emptied = False
        """Whether this build found it damaged or made by other settings, and emptied it."""
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def check(self) -> str:
        """'' when sound as far as a look that reads no rows can tell, else what it found.

        A file that is not SQLite fails to open, and one cut short or extended
        (what a crash or a full disk leaves) has a size that does not match its
        pages. SQLite's quick check would read every page, which is most of a
        small rebuild's time: damage inside the file is found as rows are read
        (bodies are checked against their digests) and stops the build.
        """
        db = self._db()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        if self.path.stat().st_size != pages * size:
            return "its size does not match its pages: cut short or extended"
        return ""

    def use_settings(self, settings: str) -> bool:
        """Forget every loaded file if they were loaded with other settings; whether
        the files were kept."""
        with self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if row is not None and row[0] == settings:
                return True
            db.execute("DELETE FROM source")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (settings,))
            return False

    def sources(self, paths: Iterable[str] | None = None) -> dict[str, StoredSource]:
        """Loaded files by path under content/, without their articles: those of
        `paths`, or all."""
        rows = self._rows("path, size, mtime_ns, inode, depends, cached_ns, content", paths)
        return {
            path: StoredSource(FileFacts(size, mtime, inode),
                               self._unpickle(depends, tuple) if depends else (), cached_ns,
                               content)
            for path, size, mtime, inode, depends, cached_ns, content in rows
        }

    def loaded(self, paths: Iterable[str] | None = None) -> Iterator[tuple[str, LoadedFile]]:
        """Loaded files by path under content/: those of `paths`, or all."""
        for path, data in self._rows("path, loaded", paths):
            yield path, self._unpickle(data, LoadedFile)

    def _rows(self, columns: str, paths: Iterable[str] | None) -> Iterator[Any]:
        query = f"SELECT {columns} FROM source"
        try:
            if paths is None:
                yield from self._db().execute(query)
                return
            for path in paths:
                yield from self._db().execute(f"{query} WHERE path = ?", (path,))
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def forget(self, paths: Iterable[str]) -> None:
        """Drop the rows of files that are gone."""
        with self._db() as db:
            db.executemany("DELETE FROM source WHERE path = ?", ((path,) for path in paths))

    def save_sources(self, loaded: Mapping[str, LoadedFile], cached_ns: int) -> None:
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ((path, *file.facts,
                  pickle.dumps(file.depends_on) if file.depends_on else None, cached_ns,
                  file.content, pickle.dumps(file, protocol=pickle.HIGHEST_PROTOCOL))
                 for path, file in loaded.items()),
            )

    def links(self) -> PageLinks:
        """Internal links of every page of the output, by file name."""
        rows = self._db().execute("SELECT name, targets FROM link")
        return PageLinks((name, filter(None, targets.split("\n"))) for name, targets in rows)

    def save_links(self, links: Mapping[str, tuple[str, ...]], every_page: bool) -> None:
        with self._db() as db:
            if every_page:
                db.execute("DELETE FROM link")
            db.executemany("INSERT OR REPLACE INTO link VALUES (?, ?)",
                           ((name, "\n".join(targets)) for name, targets in links.items()))

    def known(self) -> set[str]:
        """Digests of every body stored."""
        return {row[0] for row in self._db().execute("SELECT digest FROM body")}

    def keep_bodies(self, wanted: Iterable[str]) -> None:
        """Drop every body but those `wanted`: each edit of a story stores a new one,
        and a newsroom's cache would keep every version ever built."""
        unwanted = self.known().difference(wanted)
        if unwanted:
            with self._db() as db:
                db.executemany("DELETE FROM body WHERE digest = ?", ((d,) for d in unwanted))

    def add(self, bodies: Iterable[tuple[str, str]]) -> None:
        """Store (digest, html) pairs, in one transaction."""
        with self._db() as db:
            db.executemany("INSERT OR IGNORE INTO body VALUES (?, ?)", bodies)

    def read(self, key: str) -> str:
        row = self._fetch("SELECT html FROM body WHERE digest = ?", key)
        if row is None or not isinstance(row[0], str) or digest(row[0]) != key:
            raise FolioError(f"build cache {self.path} lacks a body or holds a damaged one; "
                             "run folio build --clean")
        return row[0]

    def article(self, path: str) -> Article:
        row = self._fetch("SELECT loaded FROM source WHERE path = ?", path)
        if row is None:
            raise FolioError(f"build cache {self.path} lacks {path}; run folio build --clean")
        return self._unpickle(row[0], LoadedFile).article

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Reads inside share one read transaction: SQLite takes its lock and looks
        for a change of the file once, not for every row, half the cost of a body
        read alone. Only for reads: a writer waits until the block ends."""
        try:
            db = self._db()
            begun = not db.in_transaction
            if begun:
                db.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        try:
            yield
        finally:
            if begun:
                db.rollback()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _fetch(self, query: str, key: str | int) -> Any:
        try:
            return self._db().execute(query, (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def _unpickle(self, data: bytes, kind: type[T]) -> T:
        try:
            found = pickle.loads(data)
        except Exception as exc:
            raise self._damaged(type(exc).__name__) from None
        if not isinstance(found, kind):
            raise self._damaged()
        return found

    def _damaged(self, problem: object = None) -> FolioError:
        found = f" ({problem})" if problem is not None else ""
        return FolioError(f"build cache {self.path} is damaged{found}; run folio build --clean")

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=60)
            # For a new file only. With SQLite's 4 KB pages, most bodies (7 KB in the
            # bench) overflow onto further pages: storing 10,000 stories cost twice the
            # CPU it costs with 16 KB pages, and reading them back a little more too.
            self._connection.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
            self._connection.executescript(_SCHEMA)
            self._pid = os.getpid()
        return self._connection


_PAGE_SIZE = 16384
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS body (digest TEXT PRIMARY KEY, html TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS link (name TEXT PRIMARY KEY, targets TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, inode INTEGER,
    depends BLOB, cached_ns INTEGER, content TEXT NOT NULL, loaded BLOB NOT NULL
);
"""


class StoredArticles(Mapping[str, Article]):
    """The published articles, by id in index order, read from the store when asked
    for: a rebuild that renders a few pages unpickles a few articles."""

    KEPT = 2_000
    """Articles kept once read, the earliest read dropped first. Pages that show the
    same story mostly come together (a story's page, then its neighbour's); lists
    show cards, rendered once for the pool. 20,000 took 45 MB of each worker of a
    100k build; keeping every story of a 10k build spares each worker 8,000 of its
    17,000 reads (0.14 s)."""

    def __init__(self, store: Store, order: tuple[str, ...],
                 changed: Mapping[str, Article]) -> None:
        self.store = store
        self.order = order
        self.changed = changed
        self._read: OrderedDict[str, Article] = OrderedDict()
        self._ids = frozenset(order)

    def __getitem__(self, article_id: str) -> Article:
        if article_id not in self._ids:
            raise KeyError(article_id)
        found = self.changed.get(article_id) or self._read.get(article_id)
        if found is None:
            found = self.store.article(article_id)
            if len(self._read) >= self.KEPT:
                self._read.popitem(last=False)
            self._read[article_id] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def __reduce__(self) -> tuple[Any, ...]:
        return (StoredArticles, (self.store, self.order, self.changed))


def digest(*parts: bytes | str) -> str:
    """A short stable digest of `parts`."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def new_token() -> str:
    """A fresh random name for one build's plan or renderer (uuid costs 11 ms to import)."""
    return os.urandom(16).hex()
