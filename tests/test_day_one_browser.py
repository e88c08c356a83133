"""A site started with `folio init`, as a newsroom's first day would grow it (a story
with a figure and a video, an author profile), seen in Debian's chromium at a phone's
and a desktop's width: every page clean for axe-core and no wider than the window.
The screenshots go to test-artifacts/screenshots/day-one-*.png, to be looked at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from browser import (
    WIDTHS,
    axe_violations,
    describe_violations,
    new_page,
    screenshot,
    serving,
)
from conftest import run_folio

NOW = "2026-03-02T09:00:00+00:00"
STORY = """\
---
title: Council backs the harbour plan after a long night
dek: Eleven votes to four, with the ferry line left for next year.
byline: [Ana Lima]
date: 2026-03-01T23:40:00+00:00
section: Politics
tags: [Harbour, Council]
featured: true
---

The council voted at 11:40 p.m. after six hours of debate.

![The council chamber during the vote](chamber.jpg "Councillors during the vote | Photo: Folio")

The mayor's statement after the vote:

```embed
https://www.youtube.com/watch?v=dQw4w9WgXcQ
title: The mayor's statement
```

The ferry line comes back to the council next year.
"""
PROFILE = """\
---
name: Ana Lima
role: City hall reporter
links:
  website: https://ana.example.org/
---
Ana has covered the council since 2019.
"""
PAGES = {
    "home": "/",
    "section": "/sections/politics/",
    "story": "/2026/03/01/council-backs-the-harbour-plan-after-a-long-night/",
    "author": "/authors/ana-lima/",
    "about": "/about/",
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("day-one") / "gazette"
    assert run_folio("init", site, "--now", NOW).code == 0
    year = site / "content" / "2026"
    shutil.copy(year / "newsroom.jpg", year / "chamber.jpg")
    (year / "council-backs-the-harbour-plan-after-a-long-night.md").write_text(STORY, "utf-8")
    (site / "content" / "authors").mkdir()
    (site / "content" / "authors" / "ana-lima.md").write_text(PROFILE, "utf-8")
    assert run_folio("check", "--site", site, "--now", NOW).code == 0
    built = run_folio("build", "--site", site, "--now", NOW, "--quiet")
    assert built.code == 0, built.err
    with serving(site / "output") as url:
        yield url



@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_each_page_of_a_new_site_is_clean_and_fits(
    browser: Browser, served: str, name: str, width: str
) -> None:
    page = new_page(browser, WIDTHS[width])
    page.goto(served + PAGES[name])
    screenshot(page, f"day-one-{name}-{width}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{PAGES[name]} is {overflow}px wider than a {WIDTHS[width]}px window"
    if name == "story":
        assert page.locator(".story-body figure:not(.embed) figcaption").count() == 1
        assert page.locator(".story-body figure.embed").count() == 1
    if name in ("home", "section"):
        lead = page.locator(".card-lead .card-title")
        assert lead.inner_text() == "Council backs the harbour plan after a long night"
    page.context.close()
