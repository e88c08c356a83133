"""What one build keeps for the next, under `.folio-cache/`.

- `store-<format>.sqlite`: one row per loaded Markdown file (the article it
  gave, with the file facts it was loaded from and the digest of its bytes, so
  an unchanged file is not parsed again, nor one rewritten with the same bytes),
  article bodies rendered to HTML, by digest (the index keeps only metadata;
  renderers read bodies when they need them).
- `pages.msgpack`: what the last build wrote: the key of every file, the
  templates each template loaded, the facts of every input. Its head alone
  says whether anything changed, so a build with nothing to do reads little.
- `plan.msgpack`: the last full build's plan: the index (less the articles),
  which pages show each article, and where each page is in `plan-pages.msgpack`.
  Reused while no article changes in a way that moves pages (see `shape`).
- `plan-pages.msgpack`: that plan's pages, one after another, written while
  the build renders; a quick rebuild reads back only those it renders.

Everything is MessagePack decoded by msgspec into the types declared here and in
`records`, so reading a cache builds plain values and never runs code (pickle would
run what a file tells it to), and every record carries a checksum. A cache written by
another version of Folio, of Python or of any library installed beside it (see
`toolchain_digest`), or unreadable, is discarded with a notice and the build
starts from nothing; it is never trusted.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import sqlite3
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from ..site.config import Config
from ..site.digests import digest
from ..site.errors import ContentError, FolioError, naming
from ..site.links import PageLinks
from ..site.loaded import Depends, LoadedFile
from ..site.model import (
    Article,
    Page,
)
from ..site.sources import FileFacts
from .records import (
    CHECK,
    ENCODE,
    HEAD,
    HEADER,
    Moment,
    check_rest_whole,
    framed,
    known_decoder,
    known_record,
    loaded_file,
    loaded_record,
    moment,
    page_bytes,
    page_from,
    problem,
    read_frame,
    sealed,
    unsealed,
    when,
)

# The index and render types are imported where a decoder first needs them: a build
# with nothing to do never loads the renderer (see build.py).
if TYPE_CHECKING:
    from ..site.archive import RelatedArticles
    from ..site.render import SiteInfo

CACHE_FORMAT = 12
"""Bump when anything cached changes shape; older caches are then discarded."""
CACHE_SALT = f"folio-cache-{CACHE_FORMAT}"
"""Mixed into digests of cached work, so a new format never matches old work."""
STORE_FILE = f"store-{CACHE_FORMAT}.sqlite"
"""The store's name carries its format: its tables change with it, and a Folio of
another format (an upgrade, or a downgrade) must never open this one."""
COMPILED_TEMPLATES = "compiled-templates"
"""Folder of the cache where Jinja keeps compiled templates, each signed (see render.py)."""
PAGES_FILE = "pages.msgpack"
PLAN_FILE = "plan.msgpack"
PLAN_PAGES = "plan-pages.msgpack"
"""The pages of the last full build's plan (see `PlanPagesWriter`)."""
LEGACY = ("pages.pickle", "plan.pickle", "plan-pages.bin", "templates")
"""What older versions of Folio kept (pickles, Jinja's compiled code): deleted unread."""
RACY_NS = 50_000_000
"""A file changed this close before a build started may have changed again
within the same file-system clock tick, unseen: it is not trusted as cached."""

T = TypeVar("T")


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
        """Whether the file (now `facts`) and the images it shows are as they were when loaded."""
        if self.facts.mtime_ns >= self.cached_ns - RACY_NS or facts != self.facts:
            return False
        return self.photo_is_current()

    def photo_is_current(self) -> bool:
        return all(FileFacts.of(Path(dep)) == known for dep, known in self.depends_on)


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
    load fast; equal to the `FileFacts` they came from)."""
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
    """What a quick rebuild needs of the last full build's plan besides its pages,
    which are in plan-pages.msgpack."""

    token: str
    """Which build saved it (`PageCache.plan`); the store's pages carry it too."""
    sites: dict[str, SiteInfo]
    """What the templates knew of the site, by language: the same while no page moves."""
    newest_first: tuple[str, ...]
    """Every published article id, newest first, then the standalone pages' ids."""
    stories: int
    """How many ids of `newest_first` are stories'."""
    page_offsets: bytes
    """Where each page starts in plan-pages.msgpack, and where the last ends: the bytes
    of an `array("Q")`."""
    shapes: dict[str, str]
    """`shape` of every loaded article, by id."""
    uses: tuple[bytes, ...]
    """For each article of `newest_first`, in its order, the positions in the plan of
    the pages showing it, as the bytes of an `array("I")` (a tuple of ints per
    article loads slowly; a map by id would hold every id once more)."""
    search_shards: dict[str, tuple[str, ...]]
    """Each shard of the search index with the files of its story pages (see
    site/search.py); none when the site has no search."""

    @property
    def page_count(self) -> int:
        """How many pages the plan has."""
        return len(self.page_offsets) // array("Q").itemsize - 1

    def pages_showing(self, article_ids: Iterable[str]) -> list[int]:
        """Positions of the pages that show any of `article_ids`, in plan order."""
        found: set[int] = set()
        for article_id in article_ids:
            with contextlib.suppress(ValueError):  # not published
                found.update(array("I", self.uses[self.newest_first.index(article_id)]))
        return sorted(found)


class CacheDamaged(FolioError):
    """A part of the build cache found damaged while a build read it: the build
    starts again from nothing (see build.py)."""

    def __init__(self, message: str, problem: str = "") -> None:
        super().__init__(message, problem)
        self.problem = problem

    def __str__(self) -> str:
        return str(self.args[0])


class PlanPagesWriter:
    """Writes a full build's pages to plan-pages.msgpack one at a time, as the build
    renders them, so saving the plan adds next to nothing after the last page; notes
    on the way which pages show each article (`SavedPlan.uses`).

    The file: a record of its header and the plan's token, the pages one after
    another, then the checksum of each page."""

    def __init__(self, root: Path, token: str, pages: Sequence[Page]) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._pages = pages
        self._temporary = root / f".{PLAN_PAGES}.{os.getpid()}"
        self._final = root / PLAN_PAGES
        self._file = self._temporary.open("wb")
        head = framed(ENCODE((_header(), token)))
        with naming(self._temporary):
            self._file.write(head)
        self.offsets = array("Q", [len(head)])
        self._checks = array("I")
        self.uses: dict[str, array[int]] = {}
        self._sent: dict[int, bytes] = {}
        """Pages encoded before their turn here, to send to a worker, by id."""

    def encoded(self, page: Page) -> bytes:
        """`page` (one of this plan's) encoded, and kept until its turn to be written:
        a page sent to a worker is encoded once, for both."""
        data = self._sent[id(page)] = page_bytes(page)
        return data

    def step(self) -> None:
        """Write the next page, if one is left."""
        position = len(self.offsets) - 1
        if position < len(self._pages):
            page = self._pages[position]
            data = self._sent.pop(id(page), None) or page_bytes(page)
            with naming(self._temporary):
                self._file.write(data)
            self._checks.append(zlib.crc32(data))
            self.offsets.append(self.offsets[-1] + len(data))
            for article_id in page.shown_articles():
                positions = self.uses.get(article_id)
                if positions is None:  # not setdefault: that would make an array each time
                    positions = self.uses[article_id] = array("I")
                positions.append(position)

    def finish(self) -> None:
        """Write the pages left and their checksums, and put the file in place."""
        for _ in range(len(self._pages) + 1 - len(self.offsets)):
            self.step()
        with naming(self._temporary):
            self._file.write(self._checks.tobytes())
            self._file.close()
        self._pages = ()
        self._sent = {}
        self._temporary.replace(self._final)

    def abandon(self) -> None:
        """Leave plan-pages.msgpack as it was (the build failed)."""
        self._pages = ()
        self._sent = {}
        with contextlib.suppress(OSError):  # the failure being reported matters, not this one
            self._file.close()
        with contextlib.suppress(OSError):
            self._temporary.unlink(missing_ok=True)


class Cache:
    """The cache folder of one site."""

    def __init__(self, root: Path, notices: list[str]) -> None:
        self.root = root
        self.notices = notices
        self._delete_legacy()

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
            kept = problems == "" and store.use_settings(settings)
        except CacheDamaged as exc:
            problems, kept = exc.problem, False
        if problems:
            self._notice(f"build cache {self.store_path.name} is damaged ({problems}); "
                         "rebuilding")
            store.close()
            self.store_path.unlink()
            store = Store(self.store_path)
            kept = store.use_settings(settings)
        store.emptied = not kept
        return store

    def freshness(self) -> Freshness:
        """The head of pages.msgpack alone; cheap."""
        return self._read(PAGES_FILE, 1, lambda head: _freshness(_FRESHNESS.decode(head[0])),
                          ) or Freshness()

    def pages(self) -> PageCache:
        found = self._read(PAGES_FILE, 2, _page_cache) or PageCache()
        found.behind = _patched(found.files, found.behind)
        return found

    def plan(self, token: str) -> SavedPlan | None:
        """The plan `token` names, if plan.msgpack still holds it."""
        found = self._read(PLAN_FILE, 1, lambda body: _saved_plan(body[0])) if token else None
        return found if found is not None and found.token == token else None

    def related_known(self, token: str) -> RelatedArticles | None:
        """The related articles the plan `token` was built with, if plan.msgpack
        holds them; only this part of the file is decoded."""
        found = self._read(PLAN_FILE, 2, lambda body: _related_decoder().decode(body[1])
                           ) if token else None
        return found[1] if found is not None and found[0] == token else None

    def save_pages(self, pages: PageCache, store: Store, every_page: bool) -> None:
        """Save what a build wrote; `every_page`: its links are those of every page."""
        store.save_links(pages.links, every_page)
        # The older tree differs from output/ in the few files the build changed.
        self._write(PAGES_FILE, _freshness_record(pages.fresh),
                    _page_cache_record(pages, _patch(pages.files, pages.behind)))

    def write_plan_pages(self, token: str, pages: Sequence[Page]) -> PlanPagesWriter:
        """Where the pages of the plan `token` go, as the build renders them."""
        return PlanPagesWriter(self.root, token, pages)

    def save_plan(self, plan: SavedPlan, related: RelatedArticles) -> None:
        """Save `plan`, and apart from it the `related` articles only a full build reads."""
        self._write(PLAN_FILE, _saved_plan_record(plan), (plan.token, related))

    def pages_of(self, plan: SavedPlan, positions: Iterable[int]) -> list[Page] | None:
        """The pages at `positions` of `plan`; None when plan-pages.msgpack is not that
        plan's or is damaged (then with a notice)."""
        offsets = array("Q", plan.page_offsets)
        checks_at = offsets[-1]
        try:
            with (self.root / PLAN_PAGES).open("rb") as file:
                if HEAD.decode(read_frame(file)) != (_header(), plan.token):
                    return None
                if os.fstat(file.fileno()).st_size != checks_at + 4 * plan.page_count:
                    raise ValueError("cut short or extended")
                found = []
                for position in positions:
                    file.seek(offsets[position])
                    data = file.read(offsets[position + 1] - offsets[position])
                    file.seek(checks_at + 4 * position)
                    if CHECK.unpack(file.read(4))[0] != zlib.crc32(data):
                        raise ValueError("checksum")
                    found.append(page_from(data))
                return found
        except FileNotFoundError:
            return None
        except Exception as exc:  # any damage at all: never trust it
            self._notice(f"build cache {PLAN_PAGES} is damaged ({problem(exc)}); rebuilding")
            return None

    def clear(self) -> None:
        store = self.store_path.name
        for name in (PAGES_FILE, PLAN_FILE, PLAN_PAGES, store, f"{store}-journal"):
            (self.root / name).unlink(missing_ok=True)
        shutil.rmtree(self.root / COMPILED_TEMPLATES, ignore_errors=True)
        self._delete_legacy()

    def discard(self, damage: CacheDamaged) -> None:
        """Tell of `damage` and empty the cache: the build starts again from nothing."""
        self._notice(str(damage))
        self.clear()

    def _delete_legacy(self) -> None:
        for name in LEGACY:
            legacy = self.root / name
            with contextlib.suppress(OSError):
                if legacy.is_dir():
                    shutil.rmtree(legacy)
                else:
                    legacy.unlink()

    def _notice(self, message: str) -> None:
        """Tell the writer once, however often a build looks at the same file."""
        if message not in self.notices:
            self.notices.append(message)

    def _read(self, name: str, count: int, make: Callable[[list[bytes]], T]) -> T | None:
        """`make` given the first `count` records of `name` after its header; None when
        it is missing, made by another Folio, or damaged (then with a notice)."""
        try:
            with (self.root / name).open("rb") as file:
                if HEADER.decode(read_frame(file)) != _header():
                    self._notice(f"build cache {name} was made by another version of Folio, "
                                 "Python or a library; rebuilding")
                    return None
                found: T = make([read_frame(file) for _ in range(count)])
                check_rest_whole(file)
                return found
        except FileNotFoundError:
            return None
        except Exception as exc:  # any damage at all: never trust it
            self._notice(f"build cache {name} is damaged ({problem(exc)}); rebuilding")
            return None

    def _write(self, name: str, *values: object) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".{name}.{os.getpid()}"
        with naming(temporary), temporary.open("wb") as file:
            file.write(framed(ENCODE(_header())))
            for value in values:
                file.write(framed(ENCODE(value)))
        temporary.replace(self.root / name)


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
    roots = [config.site_dir / "templates", config.site_dir / "static",
             config.site_dir / "locale", *themes]
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


@functools.cache
def signing_key() -> bytes | None:
    """This user's key for what the cache keeps that would run if loaded (compiled
    templates): outside every site, so an entry copied in or altered never matches.
    None when it can be neither read nor made (then nothing is signed or loaded)."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "folio"
    path = folder / "signing-key"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(os.urandom(32))
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) == 32 else None


def toolchain_digest() -> str:
    """Digest of what turns the same inputs into other bytes: Folio's own code,
    Python, and every distribution installed beside Folio (markdown-it-py, Jinja,
    Pillow, Pagefind...). A cache made with any of them at another version is
    never trusted: an upgrade may render the same Markdown differently."""
    return digest(_code_digest(), sys.version, *_installed())


@functools.cache
def _code_digest() -> str:
    package = Path(__file__).parent.parent  # the whole generator package
    return digest(*(f"{path}\0{FileFacts.of(path)}" for path in sorted(package.rglob("*.py"))))


def _installed() -> list[str]:
    """The metadata folders of the distributions in the site-packages folders Python
    imports from; their names carry each distribution's version."""
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
    process opens its own connection when it first needs one. Damage found in it
    at any point raises `CacheDamaged`.
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
        (each row and body is checked against its checksum or digest), and the
        build then starts again from nothing.
        """
        with self._guarded():
            db = self._db()
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
        if self.path.stat().st_size != pages * size:
            return "its size does not match its pages: cut short or extended"
        return ""

    def use_settings(self, settings: str) -> bool:
        """Forget every loaded file if they were loaded with other settings; whether
        the files were kept."""
        with self._guarded(), self._db() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            if row is not None and row[0] == settings:
                return True
            db.execute("DELETE FROM source")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('settings', ?)", (settings,))
            return False

    def sources(self, paths: Iterable[str] | None = None) -> dict[str, StoredSource]:
        """Loaded files by path under content/, without their articles: those of
        `paths`, or all."""
        found = {}
        with self._guarded():
            for path, blob in self._rows("path, known", paths):
                kept, facts, depends_on, cached_ns, content = known_decoder().decode(
                    unsealed(blob))
                if kept != path:
                    raise ValueError("a row under another name")
                found[path] = StoredSource(facts, depends_on, cached_ns, content)
        return found

    def loaded(self, paths: Iterable[str] | None = None) -> Iterator[tuple[str, LoadedFile]]:
        """Loaded files by path under content/: those of `paths`, or all."""
        with self._guarded():
            for path, blob in self._rows("path, loaded", paths):
                yield path, loaded_file(path, blob)

    def _rows(self, columns: str, paths: Iterable[str] | None) -> Iterator[Any]:
        query = f"SELECT {columns} FROM source"
        if paths is None:
            yield from self._db().execute(query)
            return
        for path in paths:
            yield from self._db().execute(f"{query} WHERE path = ?", (path,))

    def forget(self, paths: Iterable[str]) -> None:
        """Drop the rows of files that are gone."""
        with self._guarded(), self._db() as db:
            db.executemany("DELETE FROM source WHERE path = ?", ((path,) for path in paths))

    def save_sources(self, loaded: Mapping[str, LoadedFile], cached_ns: int) -> None:
        """Keep `loaded`; a file whose front matter holds what the store cannot give
        back as it was (a YAML set) is not kept, and is loaded again next time."""
        rows = []
        for path, file in loaded.items():
            try:
                rows.append((path, known_record(path, file, cached_ns),
                             loaded_record(path, file)))
            except (TypeError, ValueError, OverflowError):
                continue
        with self._guarded(), self._db() as db:
            db.executemany("INSERT OR REPLACE INTO source VALUES (?, ?, ?)", rows)

    def links(self) -> PageLinks:
        """Internal links of every page of the output, by file name."""
        found = PageLinks()
        with self._guarded():
            for name, blob in self._db().execute("SELECT name, targets FROM link"):
                kept, *targets = bytes(unsealed(blob)).decode("utf-8").split("\n")
                if kept != name:
                    raise ValueError("a row under another name")
                found[name] = [target for target in targets if target]
        return found

    def save_links(self, links: Mapping[str, tuple[str, ...]], every_page: bool) -> None:
        with self._guarded(), self._db() as db:
            if every_page:
                db.execute("DELETE FROM link")
            db.executemany("INSERT OR REPLACE INTO link VALUES (?, ?)", (
                (name, sealed("\n".join((name, *targets)).encode("utf-8")))
                for name, targets in links.items()))

    def known(self) -> set[str]:
        """Digests of every body stored."""
        with self._guarded():
            return {row[0] for row in self._db().execute("SELECT digest FROM body")}

    def keep_bodies(self, wanted: Iterable[str]) -> None:
        """Drop every body but those `wanted`: each edit of a story stores a new one,
        and a newsroom's cache would keep every version ever built."""
        unwanted = self.known().difference(wanted)
        if unwanted:
            with self._guarded(), self._db() as db:
                db.executemany("DELETE FROM body WHERE digest = ?", ((d,) for d in unwanted))

    def add(self, bodies: Iterable[tuple[str, str]]) -> None:
        """Store (digest, html) pairs, in one transaction."""
        with self._guarded(), self._db() as db:
            db.executemany("INSERT OR IGNORE INTO body VALUES (?, ?)", bodies)

    def read(self, key: str) -> str:
        with self._guarded():
            row = self._db().execute("SELECT html FROM body WHERE digest = ?", (key,)).fetchone()
            if row is None or not isinstance(row[0], str) or digest(row[0]) != key:
                raise ValueError("a body is missing or damaged")
        html: str = row[0]
        return html

    def article(self, path: str) -> Article:
        with self._guarded():
            row = self._db().execute("SELECT loaded FROM source WHERE path = ?",
                                     (path,)).fetchone()
            if row is None:
                raise ValueError(f"{path} is missing")
            return loaded_file(path, row[0]).article

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Reads inside share one read transaction: SQLite takes its lock and looks
        for a change of the file once, not for every row. Only for reads: a writer
        waits until the block ends."""
        with self._guarded():
            db = self._db()
            begun = not db.in_transaction
            if begun:
                db.execute("BEGIN")
        try:
            yield
        finally:
            if begun:
                db.rollback()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        """Any SQLite error or bad row inside is the store's damage: `CacheDamaged`."""
        try:
            yield
        except sqlite3.Error as exc:
            if _is_failed_io(exc):
                raise OSError(_ERRNO.get(exc.sqlite_errorcode & 0xFF, errno.EIO), str(exc),
                              str(self.path)) from None
            raise CacheDamaged(f"build cache {self.path.name} is damaged ({exc}); "
                               "rebuilding", str(exc)) from None
        except (msgspec.DecodeError, ValueError, TypeError, KeyError) as exc:
            told = type(exc) is ValueError
            problem = str(exc) if told else type(exc).__name__
            raise CacheDamaged(f"build cache {self.path.name} is damaged ({problem}); "
                               "rebuilding", problem) from None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=60)
            # New files only: with SQLite's default pages, most bodies overflow onto more.
            self._connection.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
            self._connection.executescript(_SCHEMA)
            self._pid = os.getpid()
        return self._connection


_ERRNO = {3: errno.EPERM, 5: errno.EBUSY, 6: errno.EBUSY, 7: errno.ENOMEM, 8: errno.EROFS,
          10: errno.EIO, 13: errno.ENOSPC, 14: errno.EACCES, 15: errno.ENOLCK}
"""SQLite's primary result codes that mean the system failed it, not that the store is
damaged (PERM, BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL)."""


def _is_failed_io(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _ERRNO


_PAGE_SIZE = 16384
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS body (digest TEXT PRIMARY KEY, html TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS link (name TEXT PRIMARY KEY, targets BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS source (path TEXT PRIMARY KEY, known BLOB NOT NULL,
                                   loaded BLOB NOT NULL);
"""


class StoredArticles(Mapping[str, Article]):
    """The published articles, by id in index order, read from the store when asked
    for: a rebuild that renders a few pages decodes a few articles."""

    KEPT = 2_000
    """Articles kept once read, the earliest read dropped first. Pages that show the
    same story mostly come together (a story's page, then its neighbour's); lists
    show cards, rendered once for the pool. Keeping many more costs every worker
    memory and spares it few reads."""

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


def _freshness_record(fresh: Freshness) -> tuple[Any, ...]:
    return (fresh.frame, fresh.sources, fresh.output, fresh.started_ns,
            fresh.built_at and moment(fresh.built_at),
            fresh.next_change and moment(fresh.next_change))


_FRESHNESS = msgspec.msgpack.Decoder(
    tuple[str, str, FileFacts | None, int, Moment | None, Moment | None])


def _freshness(record: tuple[Any, ...]) -> Freshness:
    frame, sources, output, started_ns, built_at, next_change = record
    return Freshness(frame, sources, output, started_ns, built_at and when(built_at),
                     next_change and when(next_change))


def _page_cache_record(pages: PageCache, behind: dict[str, str]) -> tuple[Any, ...]:
    return (pages.previous, pages.files, behind, pages.templates, pages.sources,
            pages.assets, pages.digests, pages.warnings, pages.plan)


@functools.cache
def _page_cache_decoder() -> msgspec.msgpack.Decoder[Any]:
    return msgspec.msgpack.Decoder(tuple[
        FileFacts | None, dict[str, str], dict[str, str], dict[str, tuple[str, ...]],
        dict[str, tuple[int, int, int]], str, dict[str, str],
        dict[str, tuple[ContentError, ...]], str,
    ])


def _page_cache(records: list[bytes]) -> PageCache:
    previous, files, behind, templates, sources, assets, digests, warnings, plan = (
        _page_cache_decoder().decode(records[1]))
    return PageCache(_freshness(_FRESHNESS.decode(records[0])), previous, files, behind,
                     PageLinks(), templates, sources, assets, digests, warnings, plan)


def _saved_plan_record(plan: SavedPlan) -> tuple[Any, ...]:
    return (plan.token, plan.sites, plan.newest_first, plan.stories, plan.page_offsets,
            plan.shapes, plan.uses, plan.search_shards)


@functools.cache
def _plan_decoder() -> msgspec.msgpack.Decoder[Any]:
    from ..site.render import SiteInfo

    return msgspec.msgpack.Decoder(tuple[
        str, dict[str, SiteInfo], tuple[str, ...], int, bytes, dict[str, str], tuple[bytes, ...],
        dict[str, tuple[str, ...]],
    ])


@functools.cache
def _related_decoder() -> msgspec.msgpack.Decoder[Any]:
    from ..site.archive import RelatedArticles

    return msgspec.msgpack.Decoder(tuple[str, RelatedArticles])


def _saved_plan(data: bytes) -> SavedPlan:
    token, sites, newest_first, stories, page_offsets, shapes, uses, shards = (
        _plan_decoder().decode(data))
    if len(page_offsets) % array("Q").itemsize or len(page_offsets) < array("Q").itemsize:
        raise ValueError("page offsets")
    if len(uses) != len(newest_first):
        raise ValueError("uses")
    return SavedPlan(token, sites, newest_first, stories, page_offsets, shapes, uses, shards)
