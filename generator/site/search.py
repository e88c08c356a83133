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
RECENT_STORIES = 250
"""Stories of a year past its last full shard are cut into shards of this many:
the one a new story joins is indexed again in well under a second."""


def has_search(config: Config, index: SiteIndex) -> bool:
    """Search is on when configured and there is at least one article to find.

    (Pagefind indexes every page of a site that marks no `data-pagefind-body`,
    and refuses a site with nothing to index.)
    """
    return config.search and bool(index.newest_first)


def search_shards(index: SiteIndex) -> dict[str, tuple[str, ...]]:
    """The shards of the search index, each with the files of its story pages.

    A year's stories, oldest first, are cut into shards of SHARD_STORIES, the rest
    into shards of RECENT_STORIES: a story of the newest day changes only its
    year's last, small shard, and a year's small shards become one large shard
    when there are enough of them. A shard is named by its year and where it
    starts, counted in runs of RECENT_STORIES: `2020` (the first), `2020-2`
    (from the 251st story), ...
    """
    years: dict[int, list[str]] = defaultdict(list)
    for article_id in reversed(index.newest_first):
        head = index.articles[article_id]
        years[head.date.year].append(urls.file_name(head.url))
    shards = {}
    for year, stories in sorted(years.items()):
        large = len(stories) - len(stories) % SHARD_STORIES
        starts = [*range(0, large, SHARD_STORIES), *range(large, len(stories), RECENT_STORIES)]
        for start, end in zip(starts, [*starts[1:], len(stories)], strict=True):
            number = start // RECENT_STORIES + 1
            shards[f"{year:04d}" + (f"-{number}" if number > 1 else "")] = tuple(stories[start:end])
    return shards
