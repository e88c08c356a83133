"""Stories in other languages: each language's archive under /<language>/, its pages
in that language, and translations linked to each other with hreflang."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, expect

from browser import serving
from conftest import CONFIG, article, build, make_site, tree
from sitewalk import Site

BASE = "https://gazette.example.org"
STORIES = {
    "talks.md": article("English body.", title="Talks open on Syria", tags=["Syria"],
                        date="2015-09-18T17:10:00-04:00", translation_key="talks"),
    "oil.md": article("Oil body.", title="Oil prices fall", tags=["Syria"],
                      date="2015-09-17T10:00:00-04:00"),
    "pourparlers.md": article(
        "Corps en français.", title="Ouverture des pourparlers sur la Syrie",
        byline=["Jeanne Reporter", "Jean Auteur"], tags=["Syrie"], slug="talks",
        date="2015-09-18T17:10:00-04:00", language="fr", translation_key="talks"),
    "petrole.md": article("Le pétrole baisse.", title="Le pétrole baisse", tags=["Syrie"],
                          date="2015-09-19T08:00:00-04:00", language="fr"),
    "pages/about.md": "---\ntitle: About us\ntranslation_key: about\nmenu: true\n---\nWho.\n",
    "pages/a-propos.md": ("---\ntitle: À propos\nlanguage: fr\ntranslation_key: about\n"
                          "menu: true\n---\nQui.\n"),
}
EN_TALKS, FR_TALKS = "/2015/09/18/talks/", "/fr/2015/09/18/talks/"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("languages") / "site", STORIES)
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def listed(site: Site, url: str) -> set[str]:
    return {a["href"] for a in site.soup(url).select("main h2 a, main h3 a")}


def test_a_story_in_another_language_is_in_that_language(output: Path) -> None:
    site = Site(output)
    page = site.soup(FR_TALKS)
    assert page.html["lang"] == "fr"
    byline = page.select_one(".byline").get_text(" ", strip=True)
    assert byline == "Par Jeanne Reporter et Jean Auteur"
    assert page.select_one(".dateline time").get_text() == "18 septembre 2015, 17:10 EDT"
    assert [a["href"] for a in page.select(".byline a")] == [
        "/fr/authors/jeanne-reporter/", "/fr/authors/jean-auteur/"]
    assert [a["href"] for a in page.select(".tags a")] == ["/fr/tags/syrie/"]
    assert page.select_one("form.header-search")["action"] == "/fr/search/"
    english = site.soup(EN_TALKS)
    assert english.html["lang"] == "en"
    assert english.select_one(".byline").get_text(" ", strip=True) == "By Jane Reporter"


def test_each_language_has_its_own_lists_and_feeds(output: Path) -> None:
    site = Site(output)
    assert listed(site, "/fr/") == {FR_TALKS, "/fr/2015/09/19/petrole/"}
    assert listed(site, "/") == {EN_TALKS, "/2015/09/17/oil/"}
    assert listed(site, "/fr/tags/syrie/") == listed(site, "/fr/")
    assert not site.exists("/tags/syrie/") and not site.exists("/fr/tags/syria/")
    assert site.exists("/fr/archive/") and site.exists("/fr/2015/09/")
    feed = ElementTree.parse(output / "fr" / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert sorted(e.findtext(f"{atom}title") or "" for e in feed.iter(f"{atom}entry")) == [
        "Le pétrole baisse", "Ouverture des pourparlers sur la Syrie"]
    english = ElementTree.parse(output / "feed.xml").getroot()
    assert {e.findtext(f"{atom}title") for e in english.iter(f"{atom}entry")} == {
        "Talks open on Syria", "Oil prices fall"}
    related = site.soup(EN_TALKS).select(".related-articles h3 a, .related-articles h2 a")
    assert {a["href"] for a in related} == {"/2015/09/17/oil/"}, "related stories cross languages"


def test_translations_link_each_other_with_hreflang(output: Path) -> None:
    site = Site(output)
    for url, own, other, other_url in ((EN_TALKS, "en", "fr", FR_TALKS),
                                       (FR_TALKS, "fr", "en", EN_TALKS),
                                       ("/about/", "en", "fr", "/fr/a-propos/"),
                                       ("/fr/a-propos/", "fr", "en", "/about/")):
        page = site.soup(url)
        alternates = {link["hreflang"]: link["href"]
                      for link in page.select('head link[rel="alternate"][hreflang]')}
        assert alternates == {own: BASE + url, other: BASE + other_url}, url
        [shown] = page.select(".translations a")
        assert (shown["href"], shown["hreflang"], shown["lang"]) == (other_url, other, other)
    assert site.soup(FR_TALKS).select_one(".translations a").get_text() == "English"
    assert site.soup(EN_TALKS).select_one(".translations a").get_text() == "Français"
    assert not site.soup("/2015/09/17/oil/").select(".translations")
    homes = {link["hreflang"]: link["href"]
             for link in site.soup("/fr/").select('head link[rel="alternate"][hreflang]')}
    assert homes == {"en": BASE + "/", "fr": BASE + "/fr/"}
    switcher = site.soup("/").select("nav.languages a")
    assert [(a["href"], a.get_text()) for a in switcher] == [("/", "English"), ("/fr/", "Français")]


def test_every_link_of_every_page_resolves(output: Path) -> None:
    site = Site(output)
    missing = {(page, link) for page in site.pages() for link in site.internal_links(page)
               if not site.exists(link)}
    assert not missing


def test_a_language_menu_lists_its_own_pages(output: Path) -> None:
    site = Site(output)
    french = [a["href"] for a in site.soup("/fr/").select("nav.site-nav a")]
    assert "/fr/a-propos/" in french and "/about/" not in french
    assert "/fr/tags/" in french
    english = [a["href"] for a in site.soup("/").select("nav.site-nav a")]
    assert "/about/" in english and "/fr/a-propos/" not in english


def test_two_versions_in_one_language_and_a_bad_tag_are_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "a.md": article(title="A", translation_key="k"),
        "b.md": article(title="B", translation_key="k", date="2020-05-02T09:30:00-04:00"),
        "c.md": article(title="C", language="not a language!"),
    })
    result = build(site)
    assert result.code == 1
    assert "content/b.md" in result.err and "translation_key" in result.err
    assert "content/a.md" in result.err
    assert "content/c.md" in result.err and "language" in result.err
    assert "BCP 47" in result.err


def test_a_story_that_changes_language_moves_and_the_rebuild_equals_a_clean_one(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "a.md": article(title="A story", tags=["Town"]),
        "b.md": article(title="Another", tags=["Town"], date="2020-05-02T09:30:00-04:00"),
    }, CONFIG)
    assert build(site).code == 0
    path = site / "content" / "b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "language: de\ntitle:"),
                    encoding="utf-8")
    assert build(site).code == 0
    clean = make_site(tmp_path / "clean", {
        name: (site / "content" / name).read_text(encoding="utf-8") for name in ("a.md", "b.md")
    }, CONFIG)
    assert build(clean).code == 0
    assert tree(site / "output") == tree(clean / "output")
    walk = Site(site / "output")
    assert walk.exists("/de/2020/05/02/b/") and not walk.exists("/2020/05/02/b/")
    assert walk.soup("/de/2020/05/02/b/").html["lang"] == "de"
    assert BeautifulSoup((site / "output" / "de" / "index.html").read_text(encoding="utf-8"),
                         "html.parser").html["lang"] == "de"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """English stories of 2019 and 2020 and French ones of 2020: the 2019 shard of the
    search index holds English pages alone."""
    root = tmp_path_factory.mktemp("served")
    site = make_site(root / "site", {
        "old.md": article("A quokka in the harbour.", title="Quokka seen in 2019",
                          date="2019-03-01T09:30:00-05:00"),
        "new.md": article("Another quokka downtown.", title="Quokka back in 2020"),
        "nouveau.md": article("Un quokka au centre-ville.", title="Le quokka revient",
                              language="fr"),
    })
    result = build(site)
    assert result.code == 0, result.err
    with serving(site / "output") as url:
        yield url



@pytest.mark.slow
@pytest.mark.parametrize(("search", "found"), [
    ("/fr/search/", ["Le quokka revient"]),
    ("/search/", ["Quokka back in 2020", "Quokka seen in 2019"]),
])
def test_each_language_searches_its_own_stories(browser: Browser, served: str, search: str,
                                                found: list[str]) -> None:
    page = browser.new_page()
    page.goto(f"{served}{search}?q=quokka")
    expect(page.locator(".search-status")).to_contain_text("quokka")
    titles = page.locator(".search-results > li h2 a")
    expect(titles).to_have_count(len(found))
    assert sorted(titles.all_text_contents()) == found
    page.close()


def test_a_translation_named_after_its_original_keeps_its_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "talks.md": article(title="Talks", translation_key="t"),
        "talks.fr.md": article(title="Pourparlers", language="fr", translation_key="t"),
        "pages/about.de.md": "---\ntitle: Über uns\nlanguage: de\n---\nWir.\n",
    })
    assert build(site).code == 0
    walk = Site(site / "output")
    assert walk.exists("/2020/05/01/talks/") and walk.exists("/fr/2020/05/01/talks/")
    assert walk.exists("/de/about/")
