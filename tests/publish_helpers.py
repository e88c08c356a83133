"""Shared by the publish tests: a small news site, the publish command, the summary line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import CONFIG, NOW, Result, article, build, run_folio

# Search is off unless a test needs it: Pagefind adds a second or so to every build.
NO_SEARCH = CONFIG + "search = false\n"

STORIES = {
    "council.md": article(
        "The council met on Tuesday.", title="Council Weighs Budget", tags=["Budget"],
        date="2020-05-01T09:30:00-04:00",
    ),
    "river.md": article(
        "The river rose overnight.", title="River Floods Again", tags=["Floods"],
        date="2020-05-03T09:30:00-04:00", byline=["Amira Haddad"],
    ),
    "harbour.md": article(
        "Ships waited at the harbour.", title="Harbour Strike Ends", tags=["Labour"],
        date="2021-02-10T12:00:00-05:00", byline=["Li Wei"],
    ),
    "ferry.md": article(
        "The ferry returns in June.", title="Ferry Service Resumes", tags=["Transport"],
        date="2022-06-01T08:00:00-04:00", byline=["Kate O'Brien"],
    ),
}


def news_site(
    site_factory: Callable[..., Path], config: str = NO_SEARCH, built: bool = True,
    **extra: str | bytes,
) -> Path:
    """A built site of four stories (plus `extra` content files)."""
    site = site_factory({**STORIES, **extra}, config)
    if built:
        assert build(site).code == 0
    return site


def publish(site: Path, *args: str | Path) -> Result:
    return run_folio("publish", "--site", site, "--now", NOW, *args)


def counts(result: Result) -> dict[str, int]:
    """The numbers of the summary line: uploaded, unchanged, deleted."""
    line = result.out.strip().splitlines()[-1]
    found = re.search(r"(\d+) uploaded \(.*?\), (\d+) unchanged, (\d+) deleted", line)
    assert found, line
    return dict(zip(("uploaded", "unchanged", "deleted"), map(int, found.groups()), strict=True))
