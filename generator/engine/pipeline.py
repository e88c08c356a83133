"""The whole pipeline: load → index → pages → render → write, every error reported at once.

Pages whose key is unchanged since the last build are carried over, not
rendered (see keys.py); at the end the build saves what the next one needs
to skip work: page keys, the plan for quick.py, file facts (see cache.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import overload

from ..site import urls
from ..site.archive import RelatedArticles, SiteIndex, build_index
from ..site.config import Config
from ..site.digests import digest, new_token
from ..site.errors import ContentError, ContentErrors, display_path, os_error_text, step
from ..site.images import photo_files, resize_photos
from ..site.links import PageLinks, broken, internal_links
from ..site.loaded import LoadedFile
from ..site.model import Article, Page
from ..site.pages import blame, plan_pages, url_clashes
from ..site.people import LoadedProfile, load_profiles, shown_profiles
from ..site.progress import Progress
from ..site.render import Rendered, RenderIndex, site_infos
from ..site.search import SEARCH_FOLDER, has_search, search_shards
from ..site.sitemaps import NEWS_WINDOW, SITEMAP_TEMPLATE
from ..site.sources import FileFacts, Sources, find_sources
from ..site.theme_paths import static_files
from .cache import (
    Cache,
    CacheDamaged,
    Freshness,
    PageCache,
    PlanPagesWriter,
    SavedPlan,
    Store,
    StoredArticles,
)
from .keys import PageKeys
from .loading import load_content, load_settings
from .memory import give_back_past
from .parallel import Runner
from .records import page_bytes
from .rendering import RenderSetup, render_batch, render_encoded_batch, renderer_for
from .report import BuildReport, Survey
from .search_index import stage_search_index
from .write import Staging, previous_tree


@dataclass(frozen=True, slots=True)
class Plan:
    """What a build will write, before anything is rendered."""

    index: SiteIndex
    articles: Mapping[str, Article]
    """Every published article, whole, by id in index order (the index holds heads)."""
    pages: list[Page]
    copies: dict[PurePosixPath, Path]
    """Files copied as they are (theme and site static files, content images)."""
    files: dict[str, LoadedFile]
    """Every Markdown file loaded, by path under content/."""
    profiles: tuple[LoadedProfile, ...] = ()
    """The author profiles pages show."""
    warnings: tuple[ContentError, ...] = ()
    """Problems to tell the writer about that do not stop the build."""
    next_change: datetime | None = None
    """When time alone next changes the site (see Freshness.next_change)."""


def plan_site(
    config: Config,
    runner: Runner | None = None,
    store: Store | None = None,
    sources: Sources | None = None,
    known: RelatedArticles | None = None,
) -> Plan:
    """Load, validate and index the content; raise ContentErrors listing every problem."""
    store = store or Cache(config.cache_dir, []).store(load_settings(config))
    sources = sources or find_sources(config.content_dir)
    loaded = load_content(config, runner or Runner(1), sources, store)
    profiles, profile_errors = load_profiles(config, sources.profiles)
    index, index_errors = build_index((a.head for a in loaded.articles), config, known)
    people, orphans = shown_profiles(profiles, index.every_author)
    pages = plan_pages(index, config, people)
    names = [urls.file_name(page.url) for page in pages]
    copies = dict(static_files(config))
    copies.update((urls.file_for(asset.url), asset.source) for asset in loaded.assets)
    by_id = {a.id: a for a in loaded.articles}
    errors = loaded.errors + profile_errors + _located(
        index_errors + url_clashes(pages, names, index)
        + _clashes(pages, names, copies, index, config), by_id)
    if errors:
        raise ContentErrors(errors)
    published = {article_id: by_id[article_id] for article_id in shown_ids(index)}
    return Plan(index, published, pages, copies, loaded.files,
                tuple(profiles[slug] for slug in people), (*loaded.warnings, *orphans),
                next_change(loaded.articles, config))


def check_site(config: Config) -> Plan:
    """What `folio check` runs: every check of a build, the internal links of every
    story's body included, with no page rendered (a body's links resolve from its URL)."""
    store = Cache(config.cache_dir, []).store(load_settings(config))
    plan = plan_site(config, store=store)
    files = {urls.file_name(page.url) for page in plan.pages}
    files.update(relative.as_posix() for relative in plan.copies)
    files.update(name for article in plan.articles.values() for name in photo_files(article))
    links = {article.id: internal_links(store.read(article.body_digest), article.url,
                                        config.base_path) for article in plan.articles.values()}
    missing = [link for link in broken(links, files, outside=config.links_outside)
               if link.target.split("/")[0] != SEARCH_FOLDER]
    if missing:
        raise ContentErrors(ContentError(f"content/{link.page}", f"links to {link.url}, which is "
                                         "not a page or file of the site") for link in missing)
    return plan


def shown_ids(index: SiteIndex) -> tuple[str, ...]:
    """Every id a page may show: the stories newest first, then the standalone pages."""
    return index.newest_first + index.pages


def _located(errors: list[ContentError], articles: Mapping[str, Article]) -> list[ContentError]:
    """Errors found in heads, which know no lines, pointed at their lines."""
    by_source = {article.source: article for article in articles.values()}
    return [by_source[e.path].locate(e) if e.path in by_source else e for e in errors]


def full_build(
    config: Config,
    cache: Cache,
    survey: Survey,
    runner: Runner,
    progress: Progress,
) -> BuildReport:
    """Run the whole pipeline; save what the next build needs."""
    config.cache_dir.mkdir(parents=True, exist_ok=True)
    # Workers start now, before this process holds the archive or the last build's
    # page cache (they would keep them), with their shared log beside the build
    # cache, on the site's disk.
    runner.start(config.cache_dir)
    previous = _what_a_full_build_reads(cache.pages())
    store = cache.store(load_settings(config))
    plan = plan_site(config, runner, store, survey.sources, cache.related_known(previous.plan))
    shards = search_shards(plan.index) if has_search(config, plan.index) else {}
    files = plan.files
    digests = {relative: f.digest for relative, f in files.items()}
    shapes = {relative: f.shape for relative, f in files.items()}
    warnings = {relative: f.warnings for relative, f in files.items() if f.warnings}
    # The warnings of no story file are profiles': kept for the quick builds to come.
    for warning in plan.warnings:
        if warning.path.removeprefix("content/") not in files:
            warnings.setdefault(warning.path, ())
            warnings[warning.path] += (warning,)
    with step("making photo copies"):
        photos = resize_photos([*plan.articles.values(), *plan.profiles], config, progress)
    plan = replace(plan, copies={**plan.copies, **dict(photos)}, files={})
    del files
    if not runner.is_local:
        plan = _articles_in_store(plan, store)
    token = new_token()
    saving = cache.write_plan_pages(token, plan.pages)
    try:
        with step("writing the site"):
            state, counts = _write(plan, config, previous, runner, progress, store, digests,
                                   saving, shards)
    except BaseException:
        saving.abandon()
        raise
    state.digests = digests
    state.plan = token
    state.warnings = warnings
    report = BuildReport(
        articles=len(plan.index.newest_first),
        pages=len(plan.pages),
        files=counts[0],
        seconds=0,
        warnings=plan.warnings,
        rendered=counts[1],
        written=counts[2],
    )
    next_change = plan.next_change
    with saved_if_possible(cache):
        saving.finish()
        cache.save_plan(_saved_plan(token, plan, config, shapes, saving, shards),
                        plan.index.related_known)
        del plan  # every page and article: saving the state can reuse their memory
        save_state(cache, store, state, survey, config, next_change)
    return report


@contextmanager
def saved_if_possible(cache: Cache) -> Iterator[None]:
    """Save what the next build needs, once the new site is in: failing that is a
    notice, not a failed build (the site is built), and no part of the cache is kept."""
    try:
        yield
    except (OSError, sqlite3.Error, CacheDamaged) as exc:
        reason = os_error_text(exc) if isinstance(exc, OSError) else str(exc)
        with suppress(OSError):
            cache.clear()
        cache.notices.append(f"the build cache could not be saved ({reason}); "
                             "the next build starts from nothing")


def save_state(cache: Cache, store: Store, state: PageCache, survey: Survey, config: Config,
               next_change: datetime | None, every_page: bool = True) -> None:
    """Save `state` with the facts of the inputs it was built from."""
    sources = survey.sources
    state.sources = {s.relative: (s.facts.size, s.facts.mtime_ns, s.facts.inode)
                     for s in sources.markdown}
    state.assets = sources.others_digest()
    state.fresh = Freshness(
        frame=survey.frame,
        sources=survey.sources_digest,
        output=FileFacts.of(config.output_dir),
        started_ns=survey.started_ns,
        built_at=config.present,
        next_change=next_change,
    )
    cache.save_pages(state, store, every_page)


def _what_a_full_build_reads(previous: PageCache) -> PageCache:
    """The last build's page cache without what only a quick build reads (the facts
    and digests of every source, held to the end otherwise)."""
    return PageCache(fresh=previous.fresh, previous=previous.previous, files=previous.files,
                     behind=previous.behind, templates=previous.templates, plan=previous.plan)


def _articles_in_store(plan: Plan, store: Store) -> Plan:
    """`plan` with its articles left in the store, read when asked for, and its index
    without the heads, read only while planning. Other processes render the pages,
    so holding the articles here all the while would be memory spent for nothing."""
    index = plan.index
    return replace(plan, index=replace(index, articles={}),
                   articles=StoredArticles(store, shown_ids(index), {}))


def _saved_plan(token: str, plan: Plan, config: Config, shapes: dict[str, str],
                pages: PlanPagesWriter, shards: dict[str, tuple[str, ...]]) -> SavedPlan:
    """What a quick rebuild needs of `plan` besides its pages, which `pages` wrote."""
    return SavedPlan(
        token=token,
        sites=site_infos(config, plan.index),
        newest_first=shown_ids(plan.index),
        stories=len(plan.index.newest_first),
        page_offsets=pages.offsets.tobytes(),
        shapes=shapes,
        uses=tuple(pages.uses[article_id].tobytes() for article_id in shown_ids(plan.index)),
        search_shards=shards,
    )


def _write(
    plan: Plan,
    config: Config,
    previous: PageCache,
    runner: Runner,
    progress: Progress,
    store: Store,
    digests: Mapping[str, str],
    saving: PlanPagesWriter,
    shards: Mapping[str, tuple[str, ...]],
) -> tuple[PageCache, tuple[int, int, int]]:
    """Bring the older output tree up to date, render what changed (`saving` the plan's
    pages on the way), swap it in."""
    sites = site_infos(config, plan.index)
    setup = RenderSetup(config, RenderIndex(plan.articles, sites), store, token=new_token())
    keys = PageKeys(config, renderer_for(setup), digests)
    state = PageCache(templates=dict(previous.templates))
    trusted = previous.fresh.output == FileFacts.of(config.output_dir)
    current = previous.files if trusted else {}
    staging = open_staging(config, previous, trusted)
    stale = keep_unchanged(plan.pages, keys, state, staging)
    render_pages(_sitemaps_first(stale), setup, keys, state, staging, runner, progress,
                 saving)
    runner.stop()
    _copy(sorted(plan.copies.items()), staging)
    carry_links(state, store.links if trusted else PageLinks, current, staging, config)
    search = stage_search_index(shards, current, staging, config.cache_dir)
    checked = state.links if staging.wanted.keys() != current.keys() else {
        name: state.links[name] for name in _files_of(stale) if name in state.links
    }
    finish(staging, search, checked, plan.pages, config.links_outside)
    state.files, state.behind = staging.wanted, current
    # An untrusted output/ (a --clean build's) is now the older tree: unknown, not empty.
    state.previous = FileFacts.of(previous_tree(config.output_dir)) if trusted else None
    return state, (len(state.files), len(stale), staging.written)


def open_staging(config: Config, previous: PageCache, trusted: bool) -> Staging:
    """The older tree, to be brought up to date; known file by file when the last
    build left it as it is."""
    older = previous_tree(config.output_dir)
    known = trusted and previous.previous == FileFacts.of(older)
    return Staging(config.output_dir, previous.behind if known else None,
                   previous.files if trusted else {})


def finish(
    staging: Staging,
    search: Callable[[Path], None] | None,
    links: Mapping[str, tuple[str, ...]],
    pages: list[Page],
    outside: tuple[str, ...],
) -> None:
    """Index the new tree for search, check its links, swap it in."""

    def complete(root: Path) -> None:
        if search:
            search(root)
        _check_links(links, staging.wanted.keys(), root, pages, outside)

    staging.commit(complete)


def carry_links(
    state: PageCache,
    current_links: Callable[[], Mapping[str, tuple[str, ...]]],
    current: Mapping[str, str],
    staging: Staging,
    config: Config,
) -> None:
    """Links of the pages that were kept, not rendered: known when `output/` has the
    same page (`current_links` reads those of every page of `output/`, a costly
    read, so only when a page was kept), else read from the file (kept from the tree
    one build older)."""
    kept = [(name, key) for name, key in staging.wanted.items()
            if name.endswith(".html") and name not in state.links]
    known_links = current_links() if kept else {}
    for name, key in kept:
        known = known_links.get(name) if current.get(name) == key else None
        state.links[name] = known if known is not None else internal_links(
            (staging.root / name).read_text(encoding="utf-8"),
            "/" + name.removesuffix("index.html"),
            config.base_path,
        )


def _check_links(
    links: Mapping[str, tuple[str, ...]],
    files: Iterable[str],
    root: Path,
    pages: list[Page],
    outside: tuple[str, ...],
) -> None:
    """Fail the build, naming page and target, when a page links to a file not written."""
    missing = broken(links, files, root, outside)
    if not missing:
        return
    sources = {urls.file_name(p.url): p.origin for p in pages if p.origin}
    raise ContentErrors(
        ContentError(
            f"content/{sources[link.page]}" if link.page in sources else link.page,
            f"links to {link.url}, which is not a page or file of the site",
        )
        for link in missing
    )


def _files_of(pages: list[Page]) -> list[str]:
    return [urls.file_name(page.url) for page in pages]


def keep_unchanged(
    pages: list[Page], keys: PageKeys, state: PageCache, staging: Staging
) -> list[Page]:
    """Keep every page whose key is unchanged; the pages left to render."""
    stale = []
    for page in pages:
        key = keys.key(page, state.templates.get(page.template))
        if not key or not staging.keep(urls.file_name(page.url), key):
            stale.append(page)
    return stale


def render_pages(
    pages: list[Page],
    setup: RenderSetup,
    keys: PageKeys,
    state: PageCache,
    staging: Staging,
    runner: Runner,
    progress: Progress,
    saving: PlanPagesWriter | None = None,
) -> None:
    """Render `pages` and stage their files; `saving` writes a page of the plan after
    each, in the time this process would otherwise spend waiting for workers."""
    errors: dict[str, ContentError] = {}
    progress.start("Rendering", len(pages))
    pairs = zip(pages, _rendered(pages, setup, runner, saving), strict=True)
    for count, (page, rendered) in enumerate(pairs, 1):
        progress.advance()
        give_back_past(count - 1, count)
        if saving:
            saving.step()
        if rendered.errors:
            errors.update((str(e), e) for e in rendered.errors)
            continue
        loaded = state.templates.get(page.template, ())
        state.templates[page.template] = tuple(dict.fromkeys((*loaded, *rendered.templates)))
        key = keys.key(page, state.templates[page.template]) or ""
        name = urls.file_name(page.url)
        staging.put(name, rendered.data, key)
        if name.endswith(".html"):
            state.links[name] = rendered.links
    progress.finish()
    if errors:
        raise ContentErrors(errors.values())


def _rendered(pages: list[Page], setup: RenderSetup, runner: Runner,
              saving: PlanPagesWriter | None) -> Iterator[Rendered]:
    """`pages` rendered, in order. Pages that go to other processes are encoded here,
    each once: the plan keeps the bytes to write."""
    if not runner.sends(len(pages)):
        return runner.map(render_batch, setup, pages)
    encoded = saving.encoded if saving else page_bytes
    return runner.map(render_encoded_batch, setup, _Encoded(pages, encoded))


class _Encoded(Sequence[bytes]):
    """`pages`, each encoded when a batch is sliced off."""

    def __init__(self, pages: Sequence[Page], encoded: Callable[[Page], bytes]) -> None:
        self._pages = pages
        self._encoded = encoded

    def __len__(self) -> int:
        return len(self._pages)

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self._encoded(page) for page in self._pages[index]]
        return self._encoded(self._pages[index])


def _sitemaps_first(pages: list[Page]) -> list[Page]:
    """`pages` with the sitemaps, the longest to render, moved first: rendered last
    (they come last in the plan), one would keep a worker busy while the others have
    run out of pages."""
    return sorted(pages, key=lambda page: page.template != SITEMAP_TEMPLATE)


def _copy(copies: list[tuple[PurePosixPath, Path]], staging: Staging) -> None:
    """Copy files as they are, unless the tree already has them from the same source."""
    for relative, source in copies:
        name, key = relative.as_posix(), digest("copy", str(source), repr(FileFacts.of(source)))
        if not staging.keep(name, key):
            staging.copy(name, source, key)


def next_change(articles: list[Article], config: Config) -> datetime | None:
    """The first moment after now when time alone changes what the site shows."""
    moments = (m for a in articles for m in (a.date, a.date + NEWS_WINDOW))
    return min((m for m in moments if m > config.present), default=None)


def _clashes(
    pages: list[Page],
    names: list[str],
    copies: dict[PurePosixPath, Path],
    index: SiteIndex,
    config: Config,
) -> list[ContentError]:
    """Static files and content images that would overwrite a page or one another (as
    hosts that ignore case and accents compare names), or whose path no host can store."""
    by_file = {urls.fold(name): page for name, page in zip(names, pages, strict=True)}
    copied: dict[str, str] = {}
    errors = []
    for relative, source in copies.items():
        key = urls.fold(relative.as_posix())
        page = by_file.get(key)
        shown = display_path(source, config.site_dir)
        if problem := next(filter(None, map(urls.part_problem, relative.parts)), None):
            errors.append(ContentError(shown, f"cannot be copied to the site: its path "
                                              f"{problem}; rename it"))
        elif page and page.origin:
            errors.append(blame(page, index, f"the file {shown}"))
        elif page:
            errors.append(ContentError(shown, f"would overwrite the page {page.url}; rename it"))
        elif (other := copied.setdefault(key, shown)) != shown:
            errors.append(ContentError(shown, f"and {other} are one file on hosts that ignore "
                                              "case and accents (macOS, Windows, many S3 "
                                              "mirrors); rename one"))
    return errors
