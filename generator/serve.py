"""`folio serve`: build the site, serve output/ on 127.0.0.1, rebuild and reload on every edit.

MkDocs' lesson, applied: the server is handed a `builder` callable, never a
file name, and file events are debounced, so a burst of saves (an editor's
temporary file and rename, a `git checkout` of fifty stories) is one rebuild,
never one per changed file. Changes come from the operating system (inotify
on Linux, through watchdog), never from walking the tree, so an idle server
costs nothing however big the archive; the rebuild starts once the watched
files have been quiet for `QUIET` seconds. Each build ends with a "reload"
sent, in livereload's protocol, to livereload.js (the livereload package's
client) in every open page.

Files are served by our own tornado handler rather than livereload's: it
resolves every path inside output/ (no `..`, no links out), answers unknown
paths with the site's 404.html, sends folder URLs their index.html and, while
the last build failed, answers every HTML request with a page naming the
errors, so a broken edit shows in the browser and a fix brings the site back.
"""

from __future__ import annotations

import asyncio
import errno
import html
import json
import mimetypes
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from livereload.handlers import LiveReloadJSHandler
from tornado import netutil, web, websocket
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from .engine.build import build
from .engine.report import BuildReport, plural
from .site.config import CONFIG_FILE, Config
from .site.errors import ContentError, ContentErrors, FolioError, UsageError, os_error_text, step

Builder = Callable[[], BuildReport]

QUIET = 0.2
"""Seconds the watched files must stay unchanged before a rebuild starts."""
FOLDERS = ("content", "themes", "templates", "static")
"""The folders watched, with all they hold, relative to the site folder."""
WATCHED = (*FOLDERS, CONFIG_FILE)
CHANGES: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]
"""The events asked of the OS: a build opening and reading the sources is none of them."""
LONGEST_PATH = 4096
"""Longer request paths are answered 414 (Linux's PATH_MAX; no page of a site is longer)."""
_SKIPPED = (".", "#")
_BACKUP_SUFFIXES = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")
_RELOAD = json.dumps({"command": "reload", "path": "/", "liveCSS": False, "liveImg": False})
_HELLO = json.dumps(
    {
        "command": "hello",
        "protocols": ["http://livereload.com/protocols/official-7"],
        "serverName": "folio",
    }
)
_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
}
_TEXT_TYPES = ("application/xml", "application/atom+xml", "application/json", "image/svg+xml")
_HTML = "text/html; charset=utf-8"


def serve_site(load: Callable[[], Config], host: str, port: int) -> int:
    """Serve the site `load` describes until Ctrl-C; `load` runs again before every build.

    A bad folio.toml at startup is reported like `folio build` reports it; once
    serving, every failure is shown in the browser instead.
    """
    config = load()
    sockets = listen(host, port)
    rebuilder = Rebuilder(lambda: build(load()))
    watcher = Watcher(config.site_dir, config.output_dir, rebuilder.changed)
    watcher.start()  # before the first build, so a save made during it is not missed
    try:
        outcome = attempt(lambda: build(load()))
        announce(outcome, first=True)
        preview = Preview(config.output_dir, config.base_path, outcome)
        url = _url(host, sockets[0].getsockname()[1], config.base_path)
        asyncio.run(_serve(preview, sockets, rebuilder, url))
    finally:
        watcher.stop()
    print("Stopped.", flush=True)
    return 0


def listen(host: str, port: int) -> list[socket.socket]:
    """Bound, listening sockets for `host:port` (port 0: any free port)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    try:
        return netutil.bind_sockets(port, host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use; choose another with --port") from None
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host} port {port}: {reason}") from None


def _url(host: str, port: int, base_path: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path}/"


async def _serve(
    preview: Preview, sockets: list[socket.socket], rebuilder: Rebuilder, url: str
) -> None:
    """Answer requests until SIGINT or SIGTERM, then stop watching and close everything."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    server = HTTPServer(_application(preview))
    server.add_sockets(sockets)
    ioloop = IOLoop.current()
    rebuilder.start(lambda outcome: ioloop.add_callback(preview.publish, outcome))
    print(f"Serving on {url}\nPress Ctrl-C to stop.", flush=True)
    try:
        await stopped.wait()
    finally:
        rebuilder.stop()
        server.stop()
        preview.disconnect()
        await server.close_all_connections()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


# Watching and building ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a build went: its report, or the problems that stopped it."""

    report: BuildReport | None
    problems: tuple[ContentError, ...] = ()


def attempt(builder: Builder) -> Outcome:
    """Run `builder`; a failure of any kind becomes an Outcome, never an exception."""
    try:
        return Outcome(builder())
    except ContentErrors as exc:
        return Outcome(None, exc.errors)
    except FolioError as exc:
        return Outcome(None, (ContentError("", str(exc) or type(exc).__name__),))
    except Exception as exc:  # a bug must not stop the preview: show it and keep serving
        traceback.print_exc()
        return Outcome(None, (ContentError("", f"{type(exc).__name__}: {exc}"),))


def announce(outcome: Outcome, changed: Collection[str] = (), first: bool = False) -> None:
    """One line on stdout per build, naming what changed; errors and warnings on stderr."""
    if outcome.report is None:
        count = plural(len(outcome.problems), "error")
        print(f"Build failed: {count} (listed below and in the browser)", flush=True)
        for problem in outcome.problems:
            print(f"  {problem if problem.path else problem.message}", file=sys.stderr)
        return
    for warning in outcome.report.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    if first:
        print(outcome.report, flush=True)
        return
    what = next(iter(changed)) if len(changed) == 1 else plural(len(changed), "file")
    print(f"Rebuilt in {outcome.report.seconds:.2f} s ({what} changed)", flush=True)


def watched_path(path: Path, site_dir: Path, output_dir: Path) -> str | None:
    """`path` relative to `site_dir` if a change to it can change the site, else None.

    Nothing under output/ counts, nor hidden files and folders (.folio-cache/,
    the staged .output.previous/, an editor's .#locks and .swp files) or backups.
    """
    if not path.is_relative_to(site_dir) or path.is_relative_to(output_dir):
        return None
    parts = path.relative_to(site_dir).parts
    if not parts or parts[0] not in WATCHED or any(_skipped(part) for part in parts):
        return None
    return "/".join(parts)


def _skipped(name: str) -> bool:
    return name.startswith(_SKIPPED) or name.endswith(_BACKUP_SUFFIXES)


class Watcher:
    """Tells `changed` the path, relative to the site, of every change to a watched file.

    The site folder itself is watched alone (folio.toml, and watched folders
    appearing); each watched folder that exists is watched with all it holds,
    through the link when it is one (links inside are not followed).
    """

    def __init__(self, site_dir: Path, output_dir: Path, changed: Callable[[str], None]) -> None:
        self.site_dir = site_dir.resolve()
        self.output_dir = output_dir.resolve()
        self.changed = changed
        self.observer: BaseObserver = Observer()
        self.folders: dict[str, tuple[ObservedWatch, int]] = {}
        """Each watched folder's watch, by name, with the inode it was made for."""

    def start(self) -> None:
        self._watch(self.site_dir, self.site_dir, recursive=False)
        self.follow_folders()
        with step("watching the site for changes"):  # past the OS's limit on watches, say
            self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join()

    def heard(self, path: Path, is_folder: bool) -> None:
        """A change to `path`, on watchdog's thread."""
        if (relative := watched_path(path, self.site_dir, self.output_dir)) is None:
            return
        if is_folder and "/" not in relative:
            self.follow_folders()
        self.changed(relative)

    def follow_folders(self) -> None:
        """Watch each watched folder as it is now: made, removed or replaced since."""
        for name in FOLDERS:
            folder = self.site_dir / name
            inode = _folder_inode(folder)
            watched = self.folders.pop(name, None)
            if watched and watched[1] == inode:
                self.folders[name] = watched
                continue
            if watched:
                self.observer.unschedule(watched[0])
            try:
                if inode is not None:
                    self.folders[name] = (self._watch(folder, folder.resolve(), True), inode)
            except OSError as exc:
                print(f"Warning: {name}/ is not watched: {os_error_text(exc)}", file=sys.stderr)

    def _watch(self, folder: Path, real: Path, recursive: bool) -> ObservedWatch:
        relay = _Relay(folder, str(real), self)
        return self.observer.schedule(relay, str(real), recursive=recursive, event_filter=CHANGES)


class _Relay(FileSystemEventHandler):
    """The events of one watched folder, their paths told as under the site folder."""

    def __init__(self, folder: Path, real: str, watcher: Watcher) -> None:
        super().__init__()
        self.folder = folder
        self.real = real
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Runs on watchdog's thread for every event of `CHANGES`."""
        for path in {os.fsdecode(event.src_path), os.fsdecode(event.dest_path)} - {""}:
            self.watcher.heard(self.folder / os.path.relpath(path, self.real), event.is_directory)


def _folder_inode(path: Path) -> int | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino if path.is_dir() else None


class Debouncer:
    """Decides when to rebuild: once no change has come for `quiet` seconds."""

    def __init__(self, quiet: float = QUIET) -> None:
        self.quiet = quiet
        self.last: float | None = None
        """When the latest change of the burst came; None with no burst under way."""
        self.paths: set[str] = set()

    def note(self, path: str, now: float) -> None:
        self.last = now
        self.paths.add(path)

    def wait(self, now: float) -> float | None:
        """Seconds until the burst is over: None with nothing changed, 0 when it is over."""
        return None if self.last is None else max(0.0, self.last + self.quiet - now)

    def take(self) -> set[str]:
        """The files the burst changed; the next change starts a new burst."""
        paths, self.paths, self.last = self.paths, set(), None
        return paths


class Rebuilder:
    """A thread that runs the builder once after each burst of changes."""

    def __init__(self, builder: Builder, quiet: float = QUIET) -> None:
        self.builder = builder
        self.debouncer = Debouncer(quiet)
        self.condition = threading.Condition()
        self.stopping = False
        self.thread: threading.Thread | None = None

    def changed(self, path: str) -> None:
        """Note a change to `path`; called from the watcher's thread."""
        with self.condition:
            self.debouncer.note(path, time.monotonic())
            self.condition.notify()

    def start(self, publish: Callable[[Outcome], None]) -> None:
        self.thread = threading.Thread(
            target=self._run, args=(publish,), name="folio-rebuild", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        """Stop rebuilding; a build under way finishes first, so output/ stays whole."""
        with self.condition:
            self.stopping = True
            self.condition.notify()
        if self.thread:
            self.thread.join()

    def _run(self, publish: Callable[[Outcome], None]) -> None:
        while (changed := self._burst()) is not None:
            outcome = attempt(self.builder)
            announce(outcome, sorted(changed))
            publish(outcome)

    def _burst(self) -> set[str] | None:
        """Wait for a burst of changes to end: the files it changed, or None when stopping."""
        with self.condition:
            while not self.stopping:
                wait = self.debouncer.wait(time.monotonic())
                if wait == 0:
                    return self.debouncer.take()
                self.condition.wait(wait)
            return None


# Serving ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = _HTML
    location: str | None = None


@dataclass(eq=False)
class Preview:
    """What the server shows: output/, or the errors of the last build.

    Changed only on the server's event loop (builds report through
    `IOLoop.add_callback`), so requests never see it half-updated.
    """

    root: Path
    prefix: str
    """The path of base_url ('' or '/archive'): the site is served under it."""
    outcome: Outcome
    browsers: set[ReloadSocket] = field(default_factory=set)

    def publish(self, outcome: Outcome) -> None:
        """Record a build's outcome and reload every open page."""
        self.outcome = outcome
        for browser in list(self.browsers):
            try:
                browser.write_message(_RELOAD)
            except websocket.WebSocketClosedError:
                self.browsers.discard(browser)

    def disconnect(self) -> None:
        for browser in list(self.browsers):
            browser.close()

    def respond(self, raw_path: str, query: str) -> Response:
        """The answer to GET `raw_path` (still percent-encoded, as sent)."""
        if self.prefix and raw_path in ("", "/"):
            return Response(302, location=f"{self.prefix}/")
        if len(raw_path) > LONGEST_PATH:
            return Response(414, b"<h1>URL too long</h1>")
        target = locate(self.root, _unprefixed(raw_path, self.prefix))
        if isinstance(target, str):
            return Response(302, location=self.prefix + target + (f"?{query}" if query else ""))
        if self.outcome.report is None and (target is None or target.suffix == ".html"):
            return Response(500, error_page(self.outcome.problems))
        if target is None or (body := _read(target)) is None:  # or a rebuild removed it
            return _not_found(self.root)
        return Response(200, body, content_type(target))


def _not_found(root: Path) -> Response:
    """The site's own 404.html, with status 404."""
    page = locate(root, "/404.html")
    body = _read(page) if isinstance(page, Path) else None
    return Response(404, body or b"<h1>Not found</h1>")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _unprefixed(raw_path: str, prefix: str) -> str | None:
    if not prefix:
        return raw_path
    if raw_path.startswith(f"{prefix}/"):
        return raw_path[len(prefix) :]
    return None


def locate(root: Path, raw_path: str | None) -> Path | str | None:
    """The file under `root` that `raw_path` names, a redirect, or None when there is none.

    Returns a str (the path with a trailing slash) for a folder asked for
    without one. Nothing outside `root` is ever returned: `.` and `..`
    segments (even percent-encoded) name nothing, and links are resolved
    before the check.
    """
    try:
        path = unquote(raw_path or "", errors="strict")
    except UnicodeDecodeError:
        return None
    parts = [part for part in path.split("/") if part]
    if not path.startswith("/") or "\0" in path or any(p in (".", "..") for p in parts):
        return None
    try:
        return _file_or_folder(root.resolve(), parts, path.endswith("/"), raw_path or "")
    except OSError:  # a name too long for the file system, say: no such file
        return None


def _file_or_folder(base: Path, parts: list[str], slash: bool, raw_path: str) -> Path | str | None:
    target = _inside(base, base.joinpath(*parts))
    if target and target.is_dir():
        if not slash:
            return "/" + "/".join(p for p in raw_path.split("/") if p) + "/"
        target = _inside(base, target / "index.html")
    return target if target and target.is_file() else None


def _inside(base: Path, path: Path) -> Path | None:
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return None
    return real if real.is_relative_to(base) else None


def content_type(path: Path) -> str:
    """The Content-Type of a file of the built site, with charset=utf-8 for text."""
    if path.name == "feed.xml":
        kind = "application/atom+xml"
    else:
        suffix = path.suffix.lower()
        kind = _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or ""
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        return f"{kind}; charset=utf-8"
    return kind or "application/octet-stream"


def error_page(problems: Sequence[ContentError]) -> bytes:
    """A self-contained HTML page listing every problem, all of it escaped."""
    items = "\n".join(_problem_item(problem) for problem in problems)
    count = len(problems)
    heading = f"The site did not build: {count} problem{'s' if count != 1 else ''}"
    return _ERROR_PAGE.format(heading=heading, items=items).encode("utf-8")


def _problem_item(problem: ContentError) -> str:
    where = problem.path if problem.line is None else f"{problem.path}, line {problem.line}"
    what = f"{problem.field}: {problem.message}" if problem.field else problem.message
    file = f'<p class="where">{html.escape(where)}</p>' if problem.path else ""
    return f"<li>{file}<pre>{html.escape(what)}</pre></li>"


_ERROR_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · Folio</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem;
  padding: 0 1rem; color: #1a1a1a; }}
h1 {{ color: #a40000; font-size: 1.4rem; }}
li {{ margin: 0 0 1rem; }}
.where {{ font-weight: 700; margin: 0; }}
pre {{ white-space: pre-wrap; background: #fff4f4; border-left: 4px solid #a40000;
  padding: 0.5rem 0.75rem; margin: 0.25rem 0 0; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<p>Fix the file and save it: this page reloads by itself when the site builds again.</p>
<ul>
{items}
</ul>
</body>
</html>
"""


class SiteHandler(web.RequestHandler):
    """Every request that is not livereload's: answered by `Preview.respond`."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self) -> None:
        response = self.preview.respond(self.request.path, self.request.query)
        body = response.body
        if response.content_type == _HTML:
            body = _with_reload_script(body)
        self.set_status(response.status)
        self.set_header("Content-Type", response.content_type)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if response.location:
            self.set_header("Location", response.location)
        self.finish(body)

    def head(self) -> None:
        self.get()


def _with_reload_script(page: bytes) -> bytes:
    """`page` with livereload.js loaded at the end of its head (or body)."""
    script = b'<script src="/livereload.js"></script>'
    lowered = page.lower()
    for tag in (b"</head>", b"</body>"):
        at = lowered.find(tag)
        if at >= 0:
            return page[:at] + script + page[at:]
    return page + script


class ReloadSocket(websocket.WebSocketHandler):
    """livereload's protocol: answer the page's hello, and tell it to reload after builds.

    The page is registered before the answer goes out, so a page that knows it
    is connected never misses a reload.
    """

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def on_message(self, message: str | bytes) -> None:
        try:
            command = json.loads(message).get("command")
        except (ValueError, AttributeError):
            return
        if command == "hello":
            self.preview.browsers.add(self)
            self.write_message(_HELLO)

    def on_close(self) -> None:
        self.preview.browsers.discard(self)


def _application(preview: Preview) -> web.Application:
    options = {"preview": preview}
    return web.Application(
        [
            (r"/livereload", ReloadSocket, options),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/.*", SiteHandler, options),
        ],
        log_function=_no_access_log,
    )


def _no_access_log(handler: web.RequestHandler) -> None:
    """Requests are not logged: the terminal shows builds, the browser shows pages."""
