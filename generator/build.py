"""The build: load → index → pages → render → write, with every error reported at once.

Also the cache that makes rebuilds incremental (see cache.py and keys.py) and
the runner that renders pages in parallel (see parallel.py).
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import urls
from .archive import RelatedArticles, SiteIndex, build_index
from .cache import BodyStore, Cache, FileFacts, PageCache, digest, inputs_digest
from .config import Config
from .content import load_content, load_settings
from .errors import ContentError, ContentErrors, display_path
from .images import resize_photos
from .keys import PageKeys
from .links import broken, internal_links
from .model import Article, Page
from .pages import blame, plan_pages
from .parallel import Runner
from .progress import Progress
from .render import Renderer, RenderSetup, builtin_theme, render_batch, theme_dir
from .search import SEARCH_FOLDER, build_search_index, has_search
from .sitemaps import NEWS_WINDOW
from .write import Staging, check_output_dir, previous_tree


@dataclass(frozen=True, slots=True)
class Plan:
    """What a build will write, before anything is rendered."""

    index: SiteIndex
    pages: list[Page]
    copies: dict[PurePosixPath, Path]
    """Files copied as they are (theme and site static files, content images)."""
    warnings: tuple[ContentError, ...] = ()
    """Problems to tell the writer about that do not stop the build."""
    next_change: datetime | None = None
    """When time alone next changes the site (see PageCache.next_change)."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """The summary line of a build."""

    articles: int
    pages: int
    files: int
    seconds: float
    warnings: tuple[ContentError, ...] = ()
    """Problems to tell the writer about that did not stop the build."""
    rendered: int = 0
    """Pages rendered (the others were unchanged since the last build)."""
    written: int = 0
    """Files whose bytes were written (the others were carried over as they were)."""
    notices: tuple[str, ...] = ()
    """Things the build did on its own, such as discarding a damaged cache."""

    def __str__(self) -> str:
        if not self.pages:
            return f"Nothing changed since the last build ({self.seconds:.2f} s)"
        return (
            f"Built {plural(self.articles, 'article')} into {plural(self.pages, 'page')} "
            f"({plural(self.files, 'file')}) in {self.seconds:.2f} s: "
            f"{self.rendered} rendered, {plural(self.written, 'file')} written"
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def plan_site(
    config: Config,
    runner: Runner | None = None,
    cache: Cache | None = None,
    known: RelatedArticles | None = None,
) -> Plan:
    """Load, validate and index the content; raise ContentErrors listing every problem."""
    cache = cache or Cache(config.cache_dir, [])
    runner = runner or Runner(1)
    articles = cache.articles(load_settings(config))
    loaded = load_content(config, runner, articles, cache.body_store())
    if loaded.changed:
        cache.save_articles(loaded.cache)
    index, index_errors = build_index(loaded.articles, config, known)
    pages, page_errors = plan_pages(index, config)
    copies = dict(_static_files(config))
    copies.update((urls.file_for(asset.url), asset.source) for asset in loaded.assets)
    errors = loaded.errors + index_errors + page_errors + _clashes(pages, copies, index, config)
    if errors:
        raise ContentErrors(errors)
    return Plan(index, pages, copies, tuple(loaded.warnings), next_change(loaded.articles, config))


def build(
    config: Config,
    progress: Progress | None = None,
    runner: Runner | None = None,
    clean: bool = False,
) -> BuildReport:
    """Build the site into `config.output_dir`; the old output survives any failure.

    Unchanged inputs since the last build: nothing is done. Otherwise only pages
    whose key changed are rendered, and only files whose bytes changed written.
    """
    started = time.perf_counter()
    progress = progress or Progress(quiet=True)
    runner = runner or Runner(1)
    check_output_dir(config.output_dir, config.site_dir)
    notices: list[str] = []
    cache = Cache(config.cache_dir, notices)
    if clean:
        cache.clear()
    previous = cache.pages()
    inputs = inputs_digest(config, dict.fromkeys((theme_dir(config), builtin_theme())))
    if _nothing_changed(previous, inputs, config):
        return BuildReport(0, 0, 0, time.perf_counter() - started, notices=tuple(notices))
    plan = plan_site(config, runner, cache, previous.related)
    state, counts = _write(plan, config, previous, runner, progress, cache.body_store())
    state.inputs, state.output = inputs, FileFacts.of(config.output_dir)
    state.next_change, state.built_at = plan.next_change, config.present
    state.related = plan.index.related_known
    cache.save_pages(state)
    return BuildReport(
        articles=len(plan.index.articles),
        pages=len(plan.pages),
        files=counts[0],
        seconds=time.perf_counter() - started,
        warnings=plan.warnings,
        rendered=counts[1],
        written=counts[2],
        notices=tuple(notices),
    )


def _nothing_changed(previous: PageCache, inputs: str, config: Config) -> bool:
    """The last build saw exactly these inputs, left this output, and no article has
    crossed a time boundary (publication, the news window) since."""
    return (
        previous.inputs == inputs
        and previous.output is not None
        and previous.output == FileFacts.of(config.output_dir)
        and previous.built_at is not None
        and previous.built_at <= config.present
        and (previous.next_change is None or config.present < previous.next_change)
    )


def _write(
    plan: Plan,
    config: Config,
    previous: PageCache,
    runner: Runner,
    progress: Progress,
    bodies: BodyStore,
) -> tuple[PageCache, tuple[int, int, int]]:
    """Bring the older output tree up to date, render what changed, swap it in."""
    setup = RenderSetup(config, plan.index, bodies, token=uuid.uuid4().hex)
    keys = PageKeys(config, plan.index, Renderer(setup).env)
    state = PageCache(templates=dict(previous.templates))
    trusted = previous.output == FileFacts.of(config.output_dir)
    current = previous.files if trusted else {}
    known = trusted and previous.previous == FileFacts.of(previous_tree(config.output_dir))
    staging = Staging(config.output_dir, previous.behind if known else None)
    stale = _keep_unchanged(plan.pages, keys, current, state, staging)
    _render(stale, setup, keys, state, staging, runner, progress)
    photos = resize_photos(plan.index.articles.values(), config, progress)
    _copy(sorted({**plan.copies, **dict(photos)}.items()), current, staging)
    _carry_links(state, previous.links if trusted else {}, current, staging, config)
    search = _search_step(config, plan.index, current, staging)
    checked = state.links if staging.wanted.keys() != current.keys() else {
        name: state.links[name] for name in _files_of(stale) if name in state.links
    }

    def finish(root: Path) -> None:
        if search:
            search(root)
        _check_links(checked, staging.wanted.keys(), root, plan)

    staging.commit(finish)
    state.files, state.behind = staging.wanted, current
    state.previous = FileFacts.of(previous_tree(config.output_dir))
    return state, (len(state.files), len(stale), staging.written)


def _carry_links(
    state: PageCache,
    current_links: Mapping[str, tuple[str, ...]],
    current: Mapping[str, str],
    staging: Staging,
    config: Config,
) -> None:
    """Links of the pages that were kept, not rendered: known when `output/` has the
    same page, else read from the file (kept from the tree one build older)."""
    for name, key in staging.wanted.items():
        if name.endswith(".html") and name not in state.links:
            known = current_links.get(name) if current.get(name) == key else None
            state.links[name] = known if known is not None else internal_links(
                (staging.root / name).read_text(encoding="utf-8"),
                "/" + name.removesuffix("index.html"),
                config.base_path,
            )


def _check_links(
    links: Mapping[str, tuple[str, ...]],
    files: Iterable[str],
    root: Path,
    plan: Plan,
) -> None:
    """Fail the build, naming page and target, when a page links to a file not written."""
    missing = broken(links, files, root)
    if not missing:
        return
    sources = {urls.file_for(p.url).as_posix(): p.origin for p in plan.pages if p.origin}
    raise ContentErrors(
        ContentError(
            f"content/{sources[link.page]}" if link.page in sources else link.page,
            f"links to {link.url}, which is not a page or file of the site",
        )
        for link in missing
    )


def _files_of(pages: list[Page]) -> list[str]:
    return [urls.file_for(page.url).as_posix() for page in pages]


def _search_step(
    config: Config, index: SiteIndex, current: Mapping[str, str], staging: Staging
) -> Callable[[Path], None] | None:
    """Pagefind over the new tree, unless no page changed and the old index can stay."""
    folder = PurePosixPath(SEARCH_FOLDER)
    staging.clear_folder(folder)
    if not has_search(config, index):
        return None
    if _html(staging.wanted) == _html(current) and staging.take_folder(folder):
        return None
    return build_search_index


def _html(files: Mapping[str, str]) -> dict[str, str]:
    """The HTML pages of a tree with their keys: what the search index is made from."""
    return {name: key for name, key in files.items() if name.endswith(".html")}


def _keep_unchanged(
    pages: list[Page],
    keys: PageKeys,
    current: Mapping[str, str],
    state: PageCache,
    staging: Staging,
) -> list[Page]:
    """Keep every page whose key is unchanged; the pages left to render."""
    stale = []
    for page in pages:
        relative = urls.file_for(page.url)
        key = keys.key(page, state.templates.get(page.template))
        if not key or not (
            staging.has(relative, key)
            or (current.get(relative.as_posix()) == key and staging.link(relative, key))
        ):
            stale.append(page)
    return stale


def _render(
    pages: list[Page],
    setup: RenderSetup,
    keys: PageKeys,
    state: PageCache,
    staging: Staging,
    runner: Runner,
    progress: Progress,
) -> None:
    errors: dict[str, ContentError] = {}
    progress.start("Rendering", len(pages))
    for page, rendered in zip(pages, runner.map(render_batch, setup, pages), strict=True):
        progress.advance()
        if rendered.errors:
            errors.update((str(e), e) for e in rendered.errors)
            continue
        loaded = state.templates.get(page.template, ())
        state.templates[page.template] = tuple(dict.fromkeys((*loaded, *rendered.templates)))
        key = keys.key(page, state.templates[page.template]) or ""
        relative = urls.file_for(page.url)
        staging.put(relative, rendered.data, key)
        if relative.suffix == ".html":  # interned here too: workers' strings arrive apart
            state.links[relative.as_posix()] = tuple(sys.intern(t) for t in rendered.links)
    progress.finish()
    if errors:
        raise ContentErrors(errors.values())


def _copy(
    copies: list[tuple[PurePosixPath, Path]], current: Mapping[str, str], staging: Staging
) -> None:
    """Copy files as they are, unless the tree already has them from the same source."""
    for relative, source in copies:
        key = digest("copy", str(source), repr(FileFacts.of(source)))
        if not (staging.has(relative, key)
                or (current.get(relative.as_posix()) == key and staging.link(relative, key))):
            staging.copy(relative, source, key)


def next_change(articles: list[Article], config: Config) -> datetime | None:
    """The first moment after now when time alone changes what the site shows."""
    moments = (m for a in articles for m in (a.date, a.date + NEWS_WINDOW))
    return min((m for m in moments if m > config.present), default=None)


def _static_files(config: Config) -> Iterator[tuple[PurePosixPath, Path]]:
    """Built-in theme, theme, then the site's own static/ files (later ones win), as
    templates fall back from site to theme to the built-in theme."""
    themes = dict.fromkeys((builtin_theme(), theme_dir(config)))
    for root in (*(theme / "static" for theme in themes), config.site_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    yield PurePosixPath(path.relative_to(root).as_posix()), path


def _clashes(
    pages: list[Page], copies: dict[PurePosixPath, Path], index: SiteIndex, config: Config
) -> list[ContentError]:
    """Static files and content images that would overwrite a page, or the reverse."""
    by_file = {urls.file_for(page.url): page for page in pages}
    errors = []
    for relative, source in copies.items():
        page = by_file.get(relative)
        shown = display_path(source, config.site_dir)
        if page and page.origin:
            errors.append(blame(page, index, f"the file {shown}"))
        elif page:
            errors.append(ContentError(shown, f"would overwrite the page {page.url}; rename it"))
    return errors
