"""Site search: a /search/ page over a static Pagefind index, built with the site.

Article pages mark what is indexed (`data-pagefind-body`) and what is not
(`data-pagefind-ignore`); the engine runs Pagefind over the tree it stages
(engine/search_index.py).
"""

from __future__ import annotations

from .archive import SiteIndex
from .config import Config

SEARCH_URL = "/search/"
SEARCH_FOLDER = "pagefind"
"""Where Pagefind writes its index in the built site."""


def has_search(config: Config, index: SiteIndex) -> bool:
    """Search is on when configured and there is at least one article to find.

    (Pagefind indexes every page of a site that marks no `data-pagefind-body`,
    and refuses a site with nothing to index.)
    """
    return config.search and bool(index.newest_first)
