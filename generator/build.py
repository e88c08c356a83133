"""The build: load → index → pages → render → write, with every error reported at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import urls
from .archive import SiteIndex, build_index
from .config import Config
from .content import load_content
from .errors import ContentError, ContentErrors, display_path
from .images import resize_photos
from .model import Page
from .pages import blame, plan_pages
from .progress import Progress
from .render import make_environment, render_page, theme_dir
from .search import build_search_index, has_search
from .write import check_output_dir, write_site


@dataclass(frozen=True, slots=True)
class Plan:
    """What a build will write, before anything is rendered."""

    index: SiteIndex
    pages: list[Page]
    copies: dict[PurePosixPath, Path]
    """Files copied as they are (theme and site static files, content images)."""
    warnings: tuple[ContentError, ...] = ()
    """Problems to tell the writer about that do not stop the build."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    """The summary line of a build."""

    articles: int
    pages: int
    files: int
    seconds: float
    warnings: tuple[ContentError, ...] = ()
    """Problems to tell the writer about that did not stop the build."""

    def __str__(self) -> str:
        return (
            f"Built {plural(self.articles, 'article')} into {plural(self.pages, 'page')} "
            f"({plural(self.files, 'file')}) in {self.seconds:.2f} s"
        )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def plan_site(config: Config) -> Plan:
    """Load, validate and index the content; raise ContentErrors listing every problem."""
    loaded = load_content(config)
    index, index_errors = build_index(loaded.articles, config)
    pages, page_errors = plan_pages(index, config)
    copies = dict(_static_files(config))
    copies.update((urls.file_for(asset.url), asset.source) for asset in loaded.assets)
    errors = loaded.errors + index_errors + page_errors + _clashes(pages, copies, index, config)
    if errors:
        raise ContentErrors(errors)
    return Plan(index, pages, copies, tuple(loaded.warnings))


def build(config: Config, progress: Progress | None = None) -> BuildReport:
    """Build the site into `config.output_dir`; the old output survives any failure."""
    started = time.perf_counter()
    progress = progress or Progress(quiet=True)
    check_output_dir(config.output_dir, config.site_dir)
    plan = plan_site(config)
    rendered = _render_all(plan, config, progress)
    finish = build_search_index if has_search(config, plan.index) else None
    photos = resize_photos(plan.index.articles.values(), config, progress)
    copies = [*plan.copies.items(), *photos]
    write_site(config.output_dir, rendered, copies, finish)
    return BuildReport(
        articles=len(plan.index.articles),
        pages=len(plan.pages),
        files=len(plan.pages) + len(copies),
        seconds=time.perf_counter() - started,
        warnings=plan.warnings,
    )


def _render_all(
    plan: Plan, config: Config, progress: Progress
) -> list[tuple[PurePosixPath, bytes]]:
    env = make_environment(config, plan.index)
    rendered = []
    errors: dict[str, ContentError] = {}
    progress.start("Rendering", len(plan.pages))
    for page in plan.pages:
        try:
            rendered.append((urls.file_for(page.url), render_page(env, page, plan.index)))
        except ContentErrors as failure:
            errors.update((str(e), e) for e in failure.errors)
        progress.advance()
    progress.finish()
    if errors:
        raise ContentErrors(errors.values())
    return rendered


def _static_files(config: Config) -> Iterator[tuple[PurePosixPath, Path]]:
    """Theme static files, then the site's own static/ (later ones win)."""
    for root in (theme_dir(config) / "static", config.site_dir / "static"):
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
