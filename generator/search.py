"""Site search: a /search/ page over a static Pagefind index, built with the site.

Article pages mark what is indexed (`data-pagefind-body`) and what is not
(`data-pagefind-ignore`); the index is written into the staging folder before
it is swapped in, so a failed index leaves the previous output untouched.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .archive import SiteIndex
from .config import Config
from .errors import FolioError

SEARCH_URL = "/search/"
SEARCH_FOLDER = "pagefind"
"""Where Pagefind writes its index in the built site."""


def has_search(config: Config, index: SiteIndex) -> bool:
    """Search is on when configured and there is at least one article to find.

    (Pagefind indexes every page of a site that marks no `data-pagefind-body`,
    and refuses a site with nothing to index.)
    """
    return config.search and bool(index.articles)


def build_search_index(site: Path) -> None:
    """Index the built site in `site` with Pagefind, writing `site/pagefind/`.

    Pagefind runs in `site` so that no pagefind.yml of the caller's folder
    changes the index; its progress lines are swallowed, its errors reported.
    """
    import subprocess  # here: most builds have no search index to make

    command = [sys.executable, "-m", "pagefind", "--site", ".", "--silent",
               "--output-subdir", SEARCH_FOLDER]
    try:
        result = subprocess.run(command, cwd=site, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise _failure(str(exc)) from None
    if result.returncode != 0:
        raise _failure(_last_line(result.stderr or result.stdout))


def _failure(reason: str) -> FolioError:
    return FolioError(
        f"search index: Pagefind failed: {reason or 'no message'}; "
        "set search = false in folio.toml to build without search"
    )


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else ""
