"""The repository's example site: the seed story, rendered with every field in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build

ARTICLE = "/2015/09/18/russian-weapons-keep-rolling-towards-syria/"
# A copy of shared/seeds/000_9b3f2ec0a0e2ae96.txt, so the suite runs from any clone.
SEED = REPO / "tests" / "fixtures" / "seed-000_9b3f2ec0a0e2ae96.txt"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "output"
    result = build(REPO, "--output", out)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def page(output: Path) -> BeautifulSoup:
    html = (output / ARTICLE.strip("/") / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def text(soup: BeautifulSoup, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector}"
    return " ".join(found.get_text(" ").split())


def test_kicker_headline_and_dek(page: BeautifulSoup) -> None:
    assert "News by VICE" in text(page, ".kicker")
    assert text(page, "h1") == (
        "Russian Weapons Keep Rolling Towards Syria as Russia and the US Open Talks"
    )
    assert text(page, ".dek").startswith("US Secretary of Defense calls his Russian counterpart")
    assert text(page, ".dek").endswith("as Russia upps its support for Assad regime.")


def test_both_bylines_link_to_author_pages(page: BeautifulSoup, output: Path) -> None:
    links = page.select(".byline a[rel=author]")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Reuters", "/authors/reuters/"),
        ("VICE News", "/authors/vice-news/"),
    ]
    for link in links:
        assert (output / link["href"].strip("/") / "index.html").is_file()


def test_time_keeps_the_original_offset(page: BeautifulSoup) -> None:
    time = page.select_one(".dateline time")
    assert time is not None
    assert time["datetime"] == "2015-09-18T17:10:00-04:00"
    assert "Sept. 18, 2015, 5:10 p.m. EDT" in time.get_text()


def test_photo_credit(page: BeautifulSoup) -> None:
    assert text(page, "figure figcaption .credit") == "Photo via al-Manara Network"


def test_body_carries_every_seed_paragraph(page: BeautifulSoup) -> None:
    seed = SEED.read_text(encoding="utf-8").split("Photo via al-Manara Network", 1)[1]
    paragraphs = [" ".join(p.split()) for p in seed.split("\n\n") if p.strip()]
    body = [" ".join(p.get_text().split()) for p in page.select(".story-body p")]
    expected = [p for p in paragraphs if not p.startswith("Related:")]
    assert body == expected
    assert len(body) == 15


def test_related_line_is_kept_as_an_unlinked_headline(page: BeautifulSoup) -> None:
    item = page.select_one(".related-links li.unlinked")
    assert item is not None
    assert item.get_text() == "Russia Just Parked Several Tanks at a Syrian Airfield, Pentagon Says"
    assert item.find("a") is None


def test_home_lists_the_story(output: Path) -> None:
    home = BeautifulSoup((output / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in home.select(".card-title a")] == [ARTICLE]
