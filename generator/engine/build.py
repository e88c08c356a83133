"""`folio build`: redo nothing, a few pages, or the whole pipeline, as the changes need.

A build first compares file facts with the last build's: when nothing changed
it ends there, before the parser or the renderer is even imported. Edits that
leave every page where it was (a body, a dek) re-render only the pages showing
the edited articles (quick.py); anything else runs the whole pipeline
(pipeline.py), which still renders only the pages whose key changed.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ..site.config import Config
from ..site.progress import Progress
from ..site.sources import FileFacts, find_sources
from ..site.theme_paths import themes
from .cache import Cache, CacheDamaged, frame_digest
from .lock import site_lock
from .parallel import Runner
from .report import BuildReport, Survey
from .write import check_output_dir


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

    # Page cache read again after workers start: a worker forked while it is held keeps a copy.
    try:
        report = (quick_build(config, cache, survey, cache.pages(), runner, progress)
                  or full_build(config, cache, survey, runner, progress))
    except CacheDamaged as damage:  # found part way: the build starts again from nothing
        cache.discard(damage)
        report = full_build(config, cache, survey, runner, progress)
    return replace(report, notices=tuple(notices))
