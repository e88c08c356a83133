"""What a build tells: its summary line, and the survey of its inputs it starts from."""

from __future__ import annotations

from dataclasses import dataclass

from ..site.errors import ContentError
from ..site.sources import Sources


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
