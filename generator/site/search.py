"""Site search: a /search/ page over a static Pagefind index, built with the site.

Article pages mark what is indexed (`data-pagefind-body`) and what is not
(`data-pagefind-ignore`); the engine runs Pagefind over the story pages of the
tree it stages (engine/search_index.py), shard by shard: each shard is an
index of its own under /pagefind/<shard>/, and the /search/ page merges them
all (Pagefind's `mergeIndex`), so a new or edited story re-indexes only its
shard, and no run of Pagefind holds more than one shard's pages.
"""

from __future__ import annotations

from collections import defaultdict

from . import urls
from .archive import SiteIndex
from .config import Config

SEARCH_URL = "/search/"
SEARCH_FOLDER = "pagefind"
"""Where Pagefind writes its index in the built site: a folder per shard."""
SHARD_STORIES = 2000
"""Most stories in one shard: what bounds the memory of one run of Pagefind."""


def has_search(config: Config, index: SiteIndex) -> bool:
    """Search is on when configured and there is at least one article to find.

    (Pagefind indexes every page of a site that marks no `data-pagefind-body`,
    and refuses a site with nothing to index.)
    """
    return config.search and bool(index.newest_first)


def search_shards(index: SiteIndex) -> dict[str, tuple[str, ...]]:
    """The shards of the search index, each with the files of its story pages: one
    shard per year of the stories' dates; a year of more than SHARD_STORIES stories is
    cut, oldest first, into runs of that many, so a story of the newest day changes
    only its year's last shard. A year's first shard is named by the year (`2020`),
    the next ones `2020-2`, `2020-3`, ..."""
    years: dict[int, list[str]] = defaultdict(list)
    for article_id in reversed(index.newest_first):
        head = index.articles[article_id]
        years[head.date.year].append(urls.file_name(head.url))
    shards = {}
    for year, stories in sorted(years.items()):
        for number, start in enumerate(range(0, len(stories), SHARD_STORIES), 1):
            name = f"{year:04d}" + (f"-{number}" if number > 1 else "")
            shards[name] = tuple(stories[start:start + SHARD_STORIES])
    return shards
