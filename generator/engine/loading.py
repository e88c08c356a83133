"""Loading content/ fast: files the store holds unchanged are not read again, the
others are loaded by the runner's processes (site/content.py) and stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ..site.config import Config
from ..site.content import load_batch, usable_assets
from ..site.digests import digest
from ..site.errors import ContentError
from ..site.loaded import LoadedFile
from ..site.model import Article
from ..site.sources import Asset, FileFacts, Source, Sources
from ..site.words import catalogs_digest
from .cache import CACHE_SALT, Store, StoredSource, toolchain_digest
from .parallel import Runner, batched

T = TypeVar("T")
V = TypeVar("V")


@dataclass(slots=True)
class Loaded:
    """What loading content/ found."""

    articles: list[Article] = field(default_factory=list)
    assets: list[Asset] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    """Problems worth telling the writer about that do not stop a build."""
    files: dict[str, LoadedFile] = field(default_factory=dict)
    """Every Markdown file loaded without errors, by path under content/."""


def load_settings(config: Config) -> str:
    """Digest of every setting that changes what a Markdown file loads to, and of
    the code that loads it (another Markdown parser may give other HTML)."""
    shaping = (config.timezone, config.permalink, config.default_section,
               config.markdown_html, config.image_widths, str(config.content_dir.resolve()),
               config.max_tags, config.max_bylines, config.max_aliases, config.max_related,
               config.strict, config.base_path, config.embed_hosts, config.language,
               config.links_outside)
    # An embed's box says its words in the site's language, from the theme's catalogs.
    return digest(repr(shaping), CACHE_SALT, toolchain_digest(), catalogs_digest(config))


def load_content(config: Config, runner: Runner, sources: Sources, store: Store) -> Loaded:
    """Every article and asset `sources` found under the site's content folder.

    Files the store holds unchanged are not read; the others are parsed by
    `runner`, their bodies rendered into the store.
    """
    assets, asset_errors = usable_assets(sources.assets, config)
    result = Loaded(assets=assets, errors=list(sources.errors) + asset_errors)
    rows = store.sources()
    files, errors = load_files(config, runner, sources.markdown, store, rows, Sharing().file)
    result.errors += errors
    store.forget(rows.keys() - {s.relative for s in sources.markdown})
    store.keep_bodies(f.article.body_digest for f in files.values())
    for relative in sorted(files):
        loaded = result.files[relative] = files[relative]
        result.articles.append(loaded.article)
        result.warnings.extend(loaded.warnings)
    return result


class Sharing:
    """One object for each value that many articles repeat: names, time zones, line
    maps. Each article comes unpickled from a worker or the store, with copies of
    its own, and a big archive holds every article at once."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, Any] = {}

    def file(self, loaded: LoadedFile) -> LoadedFile:
        article = loaded.article
        head = article.head
        return replace(loaded, article=replace(
            article,
            head=replace(
                head,
                bylines=self._names(head.bylines),
                date=self._moment(head.date),
                section=self._share(head.section, head.section),
                updated=head.updated and self._moment(head.updated),
                tags=self._names(head.tags),
            ),
            publication=self._share(article.publication, article.publication),
            extra=self._mapping(article.extra),
            lines=self._mapping(article.lines),
        ))

    def _share(self, key: Hashable, value: T) -> T:
        found: T = self._seen.setdefault(key, value)
        return found

    def _names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self._share(name, name) for name in names)

    # Keyed by repr, not by value: equal values can print differently (1 and True,
    # time zones of the same offset and other names).
    def _moment(self, moment: datetime) -> datetime:
        zone = moment.tzinfo
        return moment.replace(tzinfo=self._share(("zone", repr(zone)), zone))

    def _mapping(self, mapping: Mapping[str, V]) -> Mapping[str, V]:
        return self._share(("mapping", repr(mapping)), mapping)


def load_files(
    config: Config,
    runner: Runner,
    sources: Sequence[Source],
    store: Store,
    rows: Mapping[str, StoredSource],
    keep: Callable[[LoadedFile], LoadedFile] = lambda loaded: loaded,
) -> tuple[dict[str, LoadedFile], list[ContentError]]:
    """The files of `sources`, from the store where `rows` say it holds them as they
    are, else parsed (and then stored); with the errors of those that have some.
    Each file is kept as `keep` makes it, as it arrives, so that a big archive's
    copies are never all held at once."""
    started_ns = time.time_ns()
    current = {s.relative for s in sources
               if (row := rows.get(s.relative)) is not None and row.is_current(s.facts)}
    touched = _same_bytes(config.content_dir,
                          [s for s in sources if s.relative not in current], rows)
    current |= touched.keys()
    kept: dict[str, LoadedFile] = {}
    if current:
        bodies = store.known()
        everything = current if len(current) < len(rows) / 8 else None
        for relative, loaded in store.loaded(everything):
            if relative in current and loaded.article.body_digest in bodies:
                kept[relative] = keep(loaded)
    if touched:  # the store learns their facts now
        refreshed = {relative: replace(kept[relative], facts=touched[relative])
                     for relative in touched if relative in kept}
        kept.update(refreshed)
        store.save_sources(refreshed, started_ns)
    stale = [s.relative for s in sources if s.relative not in kept]
    errors: list[ContentError] = []
    for part in batched(runner.map(load_batch, config, stale), 256):
        store.add((o.loaded.article.body_digest, o.body) for o in part if o.loaded)
        fresh = {o.relative: o.loaded for o in part if o.loaded}
        store.save_sources(fresh, started_ns)
        kept.update((relative, keep(loaded)) for relative, loaded in fresh.items())
        errors.extend(e for o in part for e in o.errors)
    return kept, errors


def _same_bytes(root: Path, sources: Sequence[Source], rows: Mapping[str, StoredSource]
                ) -> dict[str, FileFacts]:
    """Of the files whose facts changed since they were loaded, those whose bytes did
    not (a fresh clone, a restored backup, `touch`), with their facts now: the store's
    articles are keyed by the digest of the file, so these are not parsed again."""
    same = {}
    for source in sources:
        row = rows.get(source.relative)
        if row is None or not row.photo_is_current():
            continue
        try:
            data = (root / source.relative).read_bytes()
        except OSError:
            continue  # loading it reports why
        if digest(data) == row.content:
            same[source.relative] = source.facts
    return same
