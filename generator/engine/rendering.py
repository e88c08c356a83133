"""Rendering fast: the setup sent once to each worker, compiled templates kept
signed in the build cache, cards shared among a pool's workers, and the
functions workers run. What a page is, and how it renders, is site/render.py's."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..site.config import Config
from ..site.model import Page
from ..site.render import Fragment, Fragments, Rendered, Renderer, RenderIndex
from .cache import (
    COMPILED_TEMPLATES,
    Store,
    StoredArticles,
    delete_others,
    signing_key,
    toolchain_digest,
)
from .parallel import SharedLog, shared_log
from .records import page_from


@dataclass(frozen=True, slots=True)
class RenderSetup:
    """Everything rendering reads, sent once to each worker."""

    config: Config
    index: RenderIndex
    bodies: Store
    token: str
    """Tells one build's setup from another's in a worker that served both."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process with the articles left in the store, each read there
        when a page first asks for it: a worker holding a big archive's articles
        would hold much more memory."""
        index, store = self.index, self.bodies
        if not isinstance(index.articles, StoredArticles):
            index = replace(index, articles=StoredArticles(store, tuple(index.articles), {}))
        return RenderSetup, (self.config, index, store, self.token)


def renderer_for(setup: RenderSetup) -> Renderer:
    """A renderer of `setup`'s build, sharing cards with its pool's other workers."""
    return Renderer(setup.config, setup.index, setup.bodies,
                    SharedFragments(shared_log(), setup.token),
                    compiled_templates(setup.config))


def compiled_templates(config: Config) -> SignedBytecodeCache | None:
    """Templates compiled once, kept in the build cache; Jinja checks each against its
    source. The versions of Folio and Jinja are in the names: they set how templates
    compile."""
    key = signing_key()
    if key is None:
        return None
    folder = config.cache_dir / COMPILED_TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    toolchain = toolchain_digest()[:16]
    delete_others(folder, "*.cache", toolchain)
    return SignedBytecodeCache(folder, toolchain, key)


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates, each file signed with this user's key: compiled
    code runs when loaded, so an entry is loaded only when its signature holds."""

    def __init__(self, folder: Path, prefix: str, key: bytes) -> None:
        self.folder = folder
        self.prefix = prefix
        self.key = key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        signature, code = data[: self._SIZE], data[self._SIZE :]
        if hmac.compare_digest(signature, self._sign(bucket, code)):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        path = self._path(bucket)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(self._sign(bucket, code) + code)
            temporary.replace(path)
        except OSError:
            temporary.unlink(missing_ok=True)

    _SIZE = hashlib.sha256().digest_size

    def _sign(self, bucket: jinja2.bccache.Bucket, code: bytes) -> bytes:
        return hmac.new(self.key, bucket.key.encode() + b"\0" + code, hashlib.sha256).digest()

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{self.prefix}-{bucket.key}.cache"


class SharedFragments(Fragments):
    """Fragments that a forked pool's workers share through their log, so a story's
    card is rendered once for the pool, not once in every worker. Outside such a
    pool, or once the log is full, they are kept in this process's memory."""

    def __init__(self, log: SharedLog | None = None, token: str = "") -> None:
        super().__init__()
        self._log = log
        self._token = token
        """The build's: a pool's log outlives a build, and keeps other builds' fragments."""
        self._logged: dict[Hashable, dict[str, int]] = {}
        """Fragments in the log, any worker's, by kind and id: where the HTML starts,
        its size and the templates it loaded (by number), in one int: a worker of a
        big build knows very many, and a tuple for each would weigh on its memory."""
        self._ids: dict[str, str] = {}
        """Every article id, kept once: each is in the keys of its card, its card
        among related stories and its feed entry."""
        self._loads: list[tuple[str, ...]] = []
        """Every list of templates a logged fragment loaded, numbered."""
        self._numbers: dict[tuple[str, ...], int] = {}

    def get(self, kind: Hashable, article_id: str) -> Fragment | None:
        found = super().get(kind, article_id)
        if found is not None or self._log is None:
            return found
        place = self._logged.get(kind, {}).get(article_id)
        if place is None:
            self._catch_up(self._log)
            place = self._logged.get(kind, {}).get(article_id)
        if place is None:
            return None
        start, size = place >> 48, place >> 16 & 0xFFFF_FFFF
        return Markup(self._log.body(start, size).decode("utf-8")), self._loads[place & 0xFFFF]

    def _catch_up(self, log: SharedLog) -> None:
        """Note the fragments other workers logged since last time."""
        for head, start, size in log.news():
            token, kind, article_id, loaded = pickle.loads(head)
            if token == self._token and article_id not in self._logged.get(kind, {}):
                self._note(kind, article_id, start, size, loaded)

    def _note(self, kind: Hashable, article_id: str, start: int, size: int,
              loaded: tuple[str, ...]) -> bool:
        """Remember where a fragment lies in the log; False past 65,536 different
        lists of templates."""
        number = self._numbers.get(loaded)
        if number is None:
            if len(self._loads) > 0xFFFF:
                return False
            number = self._numbers[loaded] = len(self._loads)
            self._loads.append(loaded)
        article_id = self._ids.setdefault(article_id, article_id)
        self._logged.setdefault(kind, {})[article_id] = (start << 32 | size) << 16 | number
        return True

    def put(self, kind: Hashable, article_id: str, html: Markup,
            loaded: tuple[str, ...]) -> Fragment:
        if self._log is not None and self._log_one(self._log, kind, article_id, html, loaded):
            return html, loaded
        return super().put(kind, article_id, html, loaded)

    def _log_one(self, log: SharedLog, kind: Hashable, article_id: str, html: Markup,
                 loaded: tuple[str, ...]) -> bool:
        try:
            head = pickle.dumps((self._token, kind, article_id, loaded),
                                protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False  # a theme passed the fragment something that cannot be shared
        body = html.encode("utf-8")
        start = log.append(head, body)
        return start is not None and self._note(kind, article_id, start, len(body), loaded)


# One Renderer per build in each worker process, made on its first batch.
_RENDERERS: dict[str, Renderer] = {}


def render_batch(setup: RenderSetup, pages: Sequence[Page]) -> list[Rendered]:
    """Render `pages`; runs in a worker process or in the building process."""
    renderer = _RENDERERS.get(setup.token)
    if renderer is None:
        _RENDERERS.clear()
        renderer = _RENDERERS[setup.token] = renderer_for(setup)
    with setup.bodies.reading():
        return [renderer.render(page) for page in pages]


def render_encoded_batch(setup: RenderSetup, pages: Sequence[bytes]) -> list[Rendered]:
    """Render pages that were sent encoded (see pipeline.render_pages)."""
    return render_batch(setup, [page_from(data) for data in pages])
