"""The news front and the theme around it: featured stories lead the home page and their
section's front, the menu marks where the reader is, the tags index is grouped A to Z, list
pages carry Open Graph tags, feeds carry the lead photo, the first card loads at once."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from conftest import CONFIG, article, build, make_site, photo_bytes
from sitewalk import Site

BASE = "https://gazette.example.org"
SETTINGS = CONFIG + "image_widths = [300, 1200]\n"  # copies of the 1500-pixel photo
PHOTO = {"src": "images/harbour.jpg", "alt": "Boats in the harbour", "credit": "Staff"}
# Newest first: (file, section, day, featured, photo).
STORIES = [
    ("council", "City", 8, False, True),
    ("derby", "Sports", 7, False, True),
    ("bridge", "City", 6, False, False),
    ("final", "Sports", 5, True, True),
    ("market", "City", 4, False, True),
    ("library", "City", 3, False, False),
    ("parade", "City", 2, True, False),
    ("fire", "City", 1, False, False),
]
URLS = {name: f"/2020/05/{day:02d}/{name}/" for name, _, day, _, _ in STORIES}
TAGS = ["Apple", "élysée", "Eagle", "42nd Street", "Zebra", "\u041c\u043e\u0441\u043a\u0432\u0430",
        *(f"B{i:02d}" for i in range(20))]  # Moscow in Cyrillic, then enough for an A-Z index


def story(name: str, section: str, day: int, featured: bool, photo: bool) -> str:
    fields = {"title": f"The {name} story", "section": section,
              "date": f"2020-05-{day:02d}T09:30:00-04:00",
              "tags": TAGS if name == "fire" else ["Town"]}
    return article(f"About the {name}.", **fields, featured=featured or None,
                   photo=PHOTO if photo else None)


def files() -> dict[str, str | bytes]:
    found: dict[str, str | bytes] = {f"{s[0]}.md": story(*s) for s in STORIES}
    found["images/harbour.jpg"] = photo_bytes(1500, 750)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = make_site(tmp_path_factory.mktemp("front"), files(),
                     SETTINGS + 'share_image = "/share.png"\n')
    (root / "static").mkdir()
    (root / "static" / "share.png").write_bytes(photo_bytes(1200, 630, "PNG"))
    result = build(root)
    assert result.code == 0, result.err
    return Site(root / "output")


def titles(soup: BeautifulSoup, selector: str) -> list[str]:
    return [a["href"] for a in soup.select(f"{selector} .card-title a")]


def test_featured_stories_lead_the_home_page_newest_first(built: Site) -> None:
    home = built.soup("/")
    assert titles(home, ".card-lead") == [URLS["final"]]
    assert titles(home, ".secondary") == [URLS["parade"], URLS["council"], URLS["derby"]]
    assert titles(home, ".river") == [URLS["bridge"], URLS["market"]]  # the rest of page 1
    assert built.soup("/page/1/").select(".card-lead, .card-secondary") == []


def test_a_featured_story_leads_its_section_front(built: Site) -> None:
    assert titles(built.soup("/sections/city/"), ".card-lead") == [URLS["parade"]]
    assert titles(built.soup("/sections/sports/"), ".card-lead") == [URLS["final"]]


def test_tag_and_date_pages_are_a_plain_river(built: Site) -> None:
    for url in ("/tags/town/", "/2020/05/", "/authors/jane-reporter/"):
        page = built.soup(url)
        assert page.select(".card-lead, .card-secondary") == [], url
        assert titles(page, ".river")[0] == URLS["council"], url


def test_a_story_no_longer_featured_leaves_the_lead(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", files(), SETTINGS)
    assert build(root).code == 0
    for name in ("final", "parade"):
        (root / "content" / f"{name}.md").write_text(
            story(*next(s for s in STORIES if s[0] == name)[:3], False, False), encoding="utf-8")
    assert build(root).code == 0
    assert titles(Site(root / "output").soup("/"), ".card-lead") == [URLS["council"]]
    assert titles(Site(root / "output").soup("/sections/city/"), ".card-lead") == [URLS["council"]]


def current(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [(a["href"], a["aria-current"]) for a in soup.select(".site-nav a[aria-current]")]


def test_the_menu_marks_the_current_section(built: Site) -> None:
    home = built.soup("/")
    assert [a["href"] for a in home.select(".site-nav a")] == [
        "/sections/city/", "/sections/sports/", "/tags/", "/authors/", "/archive/"]
    assert current(home) == []
    assert current(built.soup("/sections/city/")) == [("/sections/city/", "page")]
    assert current(built.soup("/sections/city/page/1/")) == [("/sections/city/", "true")]
    assert current(built.soup(URLS["derby"])) == [("/sections/sports/", "true")]
    assert current(built.soup("/tags/town/")) == [("/tags/", "true")]
    menu = home.select_one("header details.menu")
    assert menu.select_one("summary").get_text(strip=True) == "Menu"
    assert menu.select_one("nav.site-nav") and menu.select_one("form[role=search]")


def test_a_configured_menu_replaces_the_default_and_pages_follow(tmp_path: Path) -> None:
    menu = ('[[menu]]\nlabel = "Front"\nurl = "/"\n\n[[menu]]\nlabel = "City desk"\n'
            'url = "/sections/city/"\n\n[[menu]]\nlabel = "Shop"\nurl = "https://shop.example.org/"\n')
    ethics = "---\ntitle: Ethics\nmenu: true\n---\nWe correct our mistakes.\n"
    root = make_site(tmp_path / "site", {**files(), "pages/ethics.md": ethics}, SETTINGS + menu)
    assert build(root).code == 0
    home = Site(root / "output").soup("/")
    links = [(a.get_text(), a["href"]) for a in home.select(".site-nav a")]
    assert links == [("Front", "/"), ("City desk", "/sections/city/"),
                     ("Shop", "https://shop.example.org/"), ("Ethics", "/ethics/")]
    assert current(home) == [("/", "page")]
    assert current(Site(root / "output").soup("/ethics/")) == [("/ethics/", "page")]


def test_a_menu_mistake_names_its_line(tmp_path: Path) -> None:
    menu = '[[menu]]\nlabel = "Front"\nurl = "/"\n\n[[menu]]\nlabel = "About"\nurl = "about"\n'
    result = build(make_site(tmp_path / "site", files(), SETTINGS + menu))
    assert result.code == 1
    assert "folio.toml:10: menu: link 2: url must be a site path starting with '/'" in result.err


def test_the_tags_index_is_grouped_a_to_z(built: Site) -> None:
    index = built.soup("/tags/")
    letters = [(a.get_text(), a["href"]) for a in index.select("nav.letters a")]
    assert [letter for letter, _ in letters] == ["#", "A", "B", "E", "T", "Z", "\u041c"]
    groups = {}
    for letter, href in letters:
        heading = index.select_one(href)
        assert heading.name == "h2" and heading.get_text() == letter
        groups[letter] = [a.get_text() for a in heading.find_parent("section").select("li a")]
    assert groups["E"] == ["Eagle", "élysée"]
    assert groups["#"] == ["42nd Street"]
    assert len(groups["B"]) == 20


def meta(soup: BeautifulSoup, name: str) -> str:
    found = soup.select_one(f'meta[property="{name}"], meta[name="{name}"]')
    assert found is not None, name
    return str(found["content"])


def test_list_pages_have_open_graph_and_the_share_image(built: Site) -> None:
    tag = built.soup("/tags/town/")
    assert meta(tag, "og:type") == "website"
    assert meta(tag, "og:url") == f"{BASE}/tags/town/"
    assert meta(tag, "og:title").startswith("Tag: Town")
    assert meta(tag, "og:image") == f"{BASE}/share.png"
    assert (meta(tag, "og:image:width"), meta(tag, "og:image:height")) == ("1200", "630")
    assert meta(tag, "twitter:card") == "summary_large_image"
    assert built.exists("/share.png")
    icon = tag.select_one("link[rel=icon]")
    assert icon["type"] == "image/svg+xml" and built.exists(icon["href"])


def test_a_story_shares_a_copy_of_its_photo_with_its_size(built: Site) -> None:
    page = built.soup(URLS["council"])
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:image").startswith(f"{BASE}/photos/")
    assert meta(page, "og:image").endswith("-1200.jpg")
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "600")
    assert meta(built.soup(URLS["bridge"]), "og:image") == f"{BASE}/share.png"


MEDIA = "{http://search.yahoo.com/mrss/}"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_carries_each_lead_photo(built: Site) -> None:
    feed = ElementTree.parse(built.root / "feed.xml").getroot()
    entries = {e.find(f"{ATOM}id").text: e for e in feed.findall(f"{ATOM}entry")}
    photo = entries[BASE + URLS["council"]].find(f"{MEDIA}content")
    assert photo is not None
    assert photo.get("url", "").startswith(f"{BASE}/photos/")
    assert (photo.get("medium"), photo.get("type")) == ("image", "image/jpeg")
    assert (photo.get("width"), photo.get("height")) == ("1200", "600")
    assert photo.find(f"{MEDIA}description").text == "Boats in the harbour"
    assert photo.find(f"{MEDIA}credit").text == "Staff"
    assert entries[BASE + URLS["bridge"]].find(f"{MEDIA}content") is None


def test_the_first_card_photo_loads_at_once_and_the_rest_lazily(built: Site) -> None:
    for url in ("/", "/tags/town/"):
        first, *rest = built.soup(url).select(".card img")
        assert (first["loading"], first["fetchpriority"]) == ("eager", "high"), url
        assert rest and all(img["loading"] == "lazy" for img in rest), url
        assert not any(img.has_attr("fetchpriority") for img in rest), url
