"""`folio build`: redo nothing, a few pages, or the whole pipeline, as the changes need.

A build first compares file facts with the last build's: when nothing changed
it ends there, before the parser or the renderer is even imported. Edits that
leave every page where it was (a body, a dek) re-render only the pages showing
the edited articles (quick.py); anything else runs the whole pipeline
(pipeline.py), which still renders only the pages whose key changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from .cache import Cache, CacheDamaged, FileFacts, frame_digest
from .config import Config
from .errors import ContentError
from .lock import site_lock
from .parallel import Runner
from .progress import Progress
from .sources import Sources, find_sources
from .theme_paths import themes
from .write import check_output_dir


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


@dataclass(frozen=True, slots=True)
class Survey:
    """The inputs of a build as their file facts tell them, before anything is read."""

    sources: Sources
    """What content/ holds."""
    sources_digest: str
    """`sources.digest()`."""
    frame: str
    """Digest of every other input (see cache.frame_digest)."""
    started_ns: int
    """When the build started (wall clock)."""


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
    check_output_dir(config.output_dir, config.site_dir)
    progress = progress or Progress(quiet=True)
    with site_lock(config.cache_dir, progress.say):
        report = _build(config, progress, runner or Runner(1), clean)
    return replace(report, seconds=time.perf_counter() - started)


def _build(config: Config, progress: Progress, runner: Runner, clean: bool) -> BuildReport:
    """`build`, holding the site's lock; the report's time is the caller's to set."""
    notices: list[str] = []
    cache = Cache(config.cache_dir, notices)
    if clean:
        cache.clear()
    started_ns = time.time_ns()
    sources = find_sources(config.content_dir)
    survey = Survey(sources, sources.digest(), frame_digest(config, themes(config)), started_ns)
    if cache.freshness().holds(survey.frame, survey.sources_digest, sources.newest_ns(),
                               FileFacts.of(config.output_dir), config.present):
        return BuildReport(0, 0, 0, 0, notices=tuple(notices))
    # Imported only now: a build with nothing to do needs neither parser nor renderer.
    from .pipeline import full_build
    from .quick import quick_build

    # A full build reads the last build's page cache again, once its workers have
    # started: forked while this process held it (165 MB at 100k), each kept a copy.
    try:
        report = (quick_build(config, cache, survey, cache.pages(), runner, progress)
                  or full_build(config, cache, survey, runner, progress))
    except CacheDamaged as damage:  # found part way: the build starts again from nothing
        cache.discard(damage)
        report = full_build(config, cache, survey, runner, progress)
    return replace(report, notices=tuple(notices))
