"""Accessibility of the default theme in Debian's chromium: axe-core (pinned in
package.json) finds no violations on every kind of page at a phone's and a desktop's
width, the skip link works from the keyboard, and every tab stop shows its focus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import (
    WIDTHS,
    ServedSite,
    axe_violations,
    describe_violations,
    new_page,
    newest_story,
    served_fixture_site,
)

pytestmark = pytest.mark.slow

KINDS = ["home", "section", "article", "tag", "tags", "author", "archive", "search", "404"]
# What the element that has the focus looks like: its tag and its computed outline.
FOCUSED = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  return {tag: element.tagName, text: element.textContent.trim().slice(0, 40),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, inMain: element.closest("main") !== null};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with served_fixture_site(tmp_path_factory.mktemp("a11y")) as served:
        yield served



@pytest.fixture(scope="module")
def windows(browser: Browser) -> Iterator[dict[int, Page]]:
    """One browser window per width, reused from test to test (each test navigates)."""
    opened = {width: new_page(browser, width) for width in WIDTHS.values()}
    yield opened
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def urls(site: ServedSite) -> dict[str, str]:
    """One page of each kind: the article has a photo (a local file) and tags."""
    story = newest_story(site.site, ".lead-photo img[src^='/']", ".tags a[rel=tag]")
    page = site.site.soup(story)
    word = page.select_one("h1").get_text().split()[0].lower()
    return {
        "home": "/",
        "section": page.select_one(".story-head .kicker a")["href"],
        "article": story,
        "tag": page.select_one(".tags a[rel=tag]")["href"],
        "tags": "/tags/",
        "author": page.select_one(".byline a[rel=author]")["href"],
        "archive": "/archive/",
        "search": f"/search/?q={word}",
        "404": "/404.html",
    }


def opened(windows: dict[int, Page], site: ServedSite, url: str, width: int) -> Page:
    page = windows[width]
    page.goto(site.url + url)
    if url.startswith("/search/?"):  # the results, not the page before the search ran
        expect(page.locator(".search-results > li").first).to_be_visible()
    return page


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations(
    windows: dict[int, Page], site: ServedSite, urls: dict[str, str], kind: str, width: int
) -> None:
    page = opened(windows, site, urls[kind], width)
    violations = axe_violations(page)
    assert not violations, f"{urls[kind]}:\n" + describe_violations(violations)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_skip_link_shows_on_focus_and_moves_the_focus_to_main(
    windows: dict[int, Page], site: ServedSite, urls: dict[str, str], width: int
) -> None:
    page = opened(windows, site, urls["article"], width)
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport(ratio=1)
    expect(skip).to_have_text("Skip to content")
    assert axe_violations(page) == []  # shown, it must be legible too (colour contrast)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is the first link of the story, not the nav
    focused = page.evaluate(FOCUSED)
    assert focused["inMain"] and focused["tag"] == "A", focused


def tab_stops(page: Page) -> list[dict[str, Any]]:
    """What each Tab press focuses, from the top of the page until focus leaves it."""
    stops: list[dict[str, Any]] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY" or (stops and focused == stops[0]):
            return stops
        stops.append(focused)
    raise AssertionError("focus never left the page")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", ["article", "search"])
def test_every_tab_stop_shows_a_focus_outline(
    windows: dict[int, Page], site: ServedSite, urls: dict[str, str], kind: str, width: int
) -> None:
    page = opened(windows, site, urls[kind], width)
    unfocused = page.evaluate(FOCUSED)  # the body: no outline until the keyboard moves
    assert unfocused["style"] == "none"
    stops = tab_stops(page)
    links = [stop for stop in stops if stop["tag"] == "A"]
    assert len(links) >= 10, stops
    if kind == "search":
        assert {"INPUT", "BUTTON"} <= {stop["tag"] for stop in stops}
    for stop in stops:
        assert stop["style"] == "solid" and stop["width"] >= 2, stop
        assert stop["color"] not in ("transparent", "rgba(0, 0, 0, 0)"), stop
