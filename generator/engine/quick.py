"""A rebuild that reuses the last plan: for edits that move no page.

When every edited article keeps its `shape` (the digest of its `ArticleHead`:
all that decides which pages exist and what they list) and nothing else changed,
the pages are exactly the last build's. Only the pages that show an edited
article can differ; they are keyed and rendered, every other file is carried
over, and only the edited articles are read (the rest stay in the store
until a page asks for them). Anything else returns None: the whole pipeline
runs instead.
"""

from __future__ import annotations

from ..site import urls
from ..site.config import Config
from ..site.digests import new_token
from ..site.errors import step
from ..site.loaded import LoadedFile
from ..site.model import Article, Page
from ..site.progress import Progress
from ..site.render import RenderIndex
from ..site.sources import FileFacts, Source
from .cache import RACY_NS, Cache, PageCache, SavedPlan, Store, StoredArticles
from .keys import PageKeys
from .loading import load_files, load_settings
from .parallel import Runner
from .pipeline import (
    finish,
    keep_unchanged,
    open_staging,
    render_pages,
    save_state,
    saved_if_possible,
)
from .rendering import RenderSetup, renderer_for
from .report import BuildReport, Survey
from .search_index import stage_search_index
from .write import Staging


def quick_build(
    config: Config,
    cache: Cache,
    survey: Survey,
    previous: PageCache,
    runner: Runner,
    progress: Progress,
) -> BuildReport | None:
    """Rebuild the pages showing the edited articles; None when the plan may have moved."""
    edited = _edited_sources(config, survey, previous)
    plan = cache.plan(previous.plan) if edited is not None else None
    if edited is None or plan is None:
        return None
    store = cache.store(load_settings(config))
    files = None if store.emptied else _load_unmoved(config, store, plan, edited)
    if files is None:
        return None
    state, changed = _carry_state(previous, files)
    pages = cache.pages_of(plan, plan.pages_showing(changed))
    if pages is None:
        return None
    articles = StoredArticles(store, plan.newest_first, changed)
    setup = RenderSetup(config, RenderIndex(articles, plan.sites), store, token=new_token())
    keys = PageKeys(config, renderer_for(setup), state.digests)
    with step("writing the site"):
        staging = open_staging(config, previous, trusted=True)
        stale = _carry_all_but(pages, keys, state, previous, staging)
        if stale is None:
            return None
        render_pages(stale, setup, keys, state, staging, runner, progress)
        search = stage_search_index(plan.search_shards, previous.files, staging,
                                    config.cache_dir)
        finish(staging, search, state.links, pages, config.links_outside)
    state.files, state.behind = staging.wanted, previous.files
    state.previous = FileFacts.of(staging.root)
    with saved_if_possible(cache):
        save_state(cache, store, state, survey, config, previous.fresh.next_change,
                   every_page=False)
    return _report(plan, state, len(stale), staging.written, BuildReport)


def _load_unmoved(
    config: Config, store: Store, plan: SavedPlan, edited: list[Source]
) -> dict[str, LoadedFile] | None:
    """The edited files loaded, unless one has errors or moved pages (its shape changed)."""
    rows = store.sources([s.relative for s in edited])
    files, errors = load_files(config, Runner(1), edited, store, rows)
    if errors or any(f.shape != plan.shapes.get(relative) for relative, f in files.items()):
        return None
    return files


def _carry_all_but(
    pages: list[Page], keys: PageKeys, state: PageCache, previous: PageCache, staging: Staging
) -> list[Page] | None:
    """Carry every file of the last build over but `pages`, which are kept only when
    their key is unchanged; the pages left to render. None when a file has gone from
    output/: only the whole pipeline can redo it."""
    stale = keep_unchanged(pages, keys, state, staging)
    showing = {urls.file_name(page.url) for page in pages}
    for name, key in previous.files.items():
        if name not in showing and not staging.keep(name, key):
            return None
    return stale


def _edited_sources(config: Config, survey: Survey, previous: PageCache) -> list[Source] | None:
    """The Markdown files changed since the last build, when only those changed:
    no other input, no file added or removed, no time boundary crossed."""
    sources = survey.sources
    fresh = previous.fresh
    if not (fresh.frame == survey.frame and fresh.in_force(config.present)
            and fresh.output is not None and fresh.output == FileFacts.of(config.output_dir)
            and previous.assets == sources.others_digest()
            and len(sources.markdown) == len(previous.sources)):
        return None
    racy = fresh.started_ns - RACY_NS
    edited = []
    for source in sources.markdown:
        known = previous.sources.get(source.relative)
        if known is None:
            return None
        if known != source.facts or source.facts.mtime_ns >= racy:
            edited.append(source)
    return edited


def _carry_state(
    previous: PageCache, files: dict[str, LoadedFile]
) -> tuple[PageCache, dict[str, Article]]:
    """The last build's state with the edited articles in; and those whose digest changed."""
    state = PageCache(templates=dict(previous.templates), digests=dict(previous.digests),
                      warnings=dict(previous.warnings), plan=previous.plan)
    changed = {}
    for relative, loaded in files.items():
        found = loaded.digest
        if state.digests.get(relative) != found:
            state.digests[relative] = found
            changed[relative] = loaded.article
        state.warnings.pop(relative, None)
        if loaded.warnings:
            state.warnings[relative] = loaded.warnings
    state.warnings = dict(sorted(state.warnings.items()))
    return state, changed


def _report(plan: SavedPlan, state: PageCache, rendered: int, written: int,
            report: type[BuildReport]) -> BuildReport:
    return report(
        articles=plan.stories,
        pages=plan.page_count,
        files=len(state.files),
        seconds=0,
        warnings=tuple(w for found in state.warnings.values() for w in found),
        rendered=rendered,
        written=written,
    )
