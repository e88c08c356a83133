"""A reader in headless chromium on the fixture site served over HTTP: from the home page
to a story, its tag, its author and its day in the date archive and back; through the
pages of the home page; searching for a word from the header and landing on the story;
the phone's menu; no page wider than a phone. Screenshots of the home page, a section
front, a story and the tags index at both widths go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from browser import (
    WIDTHS,
    ServedSite,
    new_page,
    newest_story,
    screenshot,
    served_fixture_site,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with served_fixture_site(tmp_path_factory.mktemp("walk")) as served:
        yield served



@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = new_page(browser)
    yield opened
    opened.context.close()


def path(page: Page) -> str:
    return urlsplit(page.url).path


def open_story(page: Page, title: str) -> None:
    """Click the story's headline in the list shown and check that it opened."""
    page.locator("main").get_by_role("link", name=title, exact=True).first.click()
    expect(page.locator("h1.headline")).to_have_text(title)


def newest_tagged_story(page: Page) -> tuple[str, str]:
    """From the home page, open stories newest first until one has tags: (title, path)."""
    titles = page.locator(".cards .card-title a").all_inner_texts()
    for title in titles:
        open_story(page, title)
        if page.locator(".tags a[rel=tag]").count():
            return title, path(page)
        page.go_back()
    raise AssertionError("no story on the home page has tags")


def test_home_to_story_tag_author_date_archive_and_back(page: Page, site: ServedSite) -> None:
    page.goto(site.url + "/")
    expect(page).to_have_title("Fixture Gazette")
    expect(page.locator("h1")).to_have_text("Latest stories")
    title, story = newest_tagged_story(page)
    assert re.fullmatch(r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/", story), story

    tag = page.locator(".tags a[rel=tag]").first
    tag_name = tag.inner_text()
    tag.click()
    expect(page).to_have_url(re.compile(r"/tags/[a-z0-9-]+/$"))
    expect(page.locator("h1")).to_have_text(re.compile(f"^Tag: {re.escape(tag_name)}$", re.I))
    open_story(page, title)  # a list shows the newest first: the story is on its first page
    assert path(page) == story

    author = page.locator(".byline a[rel=author]").first
    author_name = author.inner_text()
    author.click()
    expect(page).to_have_url(re.compile(r"/authors/[a-z0-9-]+/$"))
    expect(page.locator("h1")).to_have_text(f"Stories by {author_name}")
    open_story(page, title)
    assert path(page) == story

    year, month, day = story.split("/")[1:4]
    page.locator(".site-nav").get_by_role("link", name="Archive", exact=True).click()
    expect(page).to_have_url(re.compile(r"/archive/$"))
    for period in (f"/{year}/", f"/{year}/{month}/", f"/{year}/{month}/{day}/"):
        page.locator(f"main a[href='{period}']").first.click()
        expect(page).to_have_url(re.compile(f"{re.escape(period)}$"))
        expect(page.locator("h1")).to_contain_text("Stories from ")
    open_story(page, title)
    assert path(page) == story

    page.go_back()
    expect(page).to_have_url(re.compile(f"/{year}/{month}/{day}/$"))
    page.go_forward()
    expect(page.locator("h1.headline")).to_have_text(title)


def test_home_pagination_older_and_newer(page: Page, site: ServedSite) -> None:
    """Stable pagination: Older leads from the newest stories to the newest numbered
    page (200 stories, 7 a page: page 28, counted from the oldest), then to page 27."""
    assert len(site.metas) == 200
    page.goto(site.url + "/")
    pager = page.locator("nav.pagination")
    expect(pager.locator("a[rel=prev]")).to_have_count(0)
    seen = [page.locator(".cards .card-title a").all_inner_texts()]
    for number in (28, 27):
        pager.locator("a[rel=next]").click()
        expect(page).to_have_url(re.compile(f"/page/{number}/$"))
        expect(pager.locator(".page-count")).to_have_text(f"Page {number}")
        seen.append(page.locator(".cards .card-title a").all_inner_texts())
    assert [len(shown) for shown in seen] == [7, 7, 7]
    assert seen[1][:3] == seen[0][-3:], "page 28 starts with the front page's last 3"
    assert len({title for shown in seen for title in shown}) == 18
    for url, shown in (("/page/28/", seen[1]), ("/", seen[0])):
        pager.locator("a[rel=prev]").click()
        expect(page).to_have_url(re.compile(f"{url}$"))
        expect(page.locator(".cards .card-title a")).to_have_text(shown)
    expect(pager.locator("a[rel=prev]")).to_have_count(0)


def test_search_for_a_word_and_land_on_the_story(page: Page, site: ServedSite) -> None:
    page.goto(site.url + "/")
    title, story = newest_tagged_story(page)
    word = title.split()[0]
    field = page.locator("header.masthead").get_by_role("searchbox", name="Search the archive")
    field.fill(word)
    field.press("Enter")
    expect(page).to_have_url(re.compile(rf"/search/\?q={word}$"))
    expect(page.locator(".search-status")).to_contain_text(f"“{word}”")
    results = page.locator(".search-results > li")
    expect(results.first).to_be_visible()
    for excerpt in results.locator(".search-result-excerpt mark").all_inner_texts()[:5]:
        assert excerpt.lower() == word.lower()
    open_story(page, title)
    assert path(page) == story


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_screenshots_of_the_home_page_a_section_a_story_and_the_tags(
    browser: Browser, site: ServedSite, width: int
) -> None:
    story = newest_story(site.site, ".lead-photo img[src^='/']")
    section = site.site.soup(story).select_one(".story-head .kicker a")["href"]
    page = new_page(browser, width)
    for name, url in (("home", "/"), ("section", section), ("article", story), ("tags", "/tags/")):
        page.goto(site.url + url)
        shot = screenshot(page, f"{name}-{width}")
        assert shot.stat().st_size > 10_000
        # Nothing is wider than the window: no sideways scrolling at either width.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    page.context.close()


def test_the_phone_menu_opens_without_script(browser: Browser, site: ServedSite) -> None:
    context = browser.new_context(viewport={"width": WIDTHS["narrow"], "height": 900},
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    header = page.locator("header.masthead")
    assert header.bounding_box()["height"] < 80  # one row: the title and the Menu button
    archive = header.get_by_role("link", name="Archive", exact=True)
    expect(archive).to_be_hidden()
    header.locator("summary").click()
    expect(archive).to_be_visible()
    expect(header.get_by_role("searchbox")).to_be_visible()
    archive.click()
    expect(page).to_have_url(re.compile(r"/archive/$"))
    context.close()


# Loads pages into frames as wide as a phone, a few at a time; returns those that scroll
# sideways, with their scrollWidth.
FRAMES_WIDER_THAN = """async ([urls, width]) => {
  const wide = [];
  const check = url => new Promise(resolve => {
    const frame = document.createElement("iframe");
    frame.style.cssText = `width: ${width}px; height: 700px; border: 0`;
    frame.onload = () => {
      const root = frame.contentDocument.documentElement;
      if (root.scrollWidth > root.clientWidth) wide.push([url, root.scrollWidth]);
      frame.remove();
      resolve();
    };
    frame.src = url;
    document.body.append(frame);
  });
  for (let i = 0; i < urls.length; i += 12) await Promise.all(urls.slice(i, i + 12).map(check));
  return wide;
}"""


def test_no_page_is_wider_than_a_phone(browser: Browser, site: ServedSite) -> None:
    """Every HTML page of the site but the redirects, in a frame 375 pixels wide: nothing
    scrolls sideways (images are not fetched: their width and height give their boxes)."""
    page = new_page(browser)
    page.route(re.compile(r"\.(jpe?g|png|gif|webp)$"), lambda route: route.abort())
    page.goto(site.url + "/404.html")
    urls = [url for url in site.site.pages()
            if 'http-equiv="refresh"' not in site.site.file(url).read_text(encoding="utf-8")]
    assert len(urls) > len(site.metas)
    wide = page.evaluate(FRAMES_WIDER_THAN, [urls, WIDTHS["narrow"]])
    page.context.close()
    assert not wide, wide
