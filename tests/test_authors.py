"""Author profiles: content/authors/<slug>.md and [authors.<slug>] tables of folio.toml, on
author pages, under stories and in JSON-LD; edits seen by incremental builds; mistakes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONFIG, NOW, article, build, make_site, photo_bytes, run_folio, tree

JANE = """\
---
name: Jane Q. Reporter
role: Middle East correspondent
photo:
  src: authors/jane.jpg
  alt: Jane Reporter in Beirut
links:
  mastodon: https://mastodon.social/@jane
  website: https://jane.example.com/
  email: jane@example.com
---

Jane covers Syria and Lebanon from *Beirut*.

She joined the Gazette in 2012.
"""
TABLE = """
[authors.li-wei]
role = "Data editor"
bio = "Li builds the Gazette's <script>charts</script>."
links = [{ label = "Portfolio", url = "https://li.example.net/" }]
"""
STORY = "/2020/05/01/beirut-port/"


def files() -> dict[str, str | bytes]:
    return {
        "2020/beirut-port.md": article(title="Beirut port", byline=["Jane Reporter", "Li Wei"]),
        "2020/budget.md": article(title="Budget", byline=["Jane Reporter"],
                                  date="2020-04-01T09:00:00-04:00"),
        "2020/charts.md": article(title="Charts", byline=["Li Wei", "Reuters"],
                                  date="2020-03-01T09:00:00-04:00"),
        "authors/jane-reporter.md": JANE,
        "authors/jane.jpg": photo_bytes(640, 640),
        "authors/nobody-here.md": "---\nrole: Ghost writer\n---\n",
    }


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / "output" / url.strip("/") / "index.html").read_text(),
                         "html.parser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = make_site(tmp_path_factory.mktemp("people") / "site", files(), CONFIG + TABLE)
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
    assert result.code == 0, result.err
    return site, result.err


def test_the_author_page_shows_photo_role_bio_and_links(built: tuple[Path, str]) -> None:
    page = soup(built[0], "/authors/jane-reporter/")
    profile = page.select_one("main .profile")
    assert profile is not None
    assert profile.select_one(".profile-name").get_text() == "Jane Q. Reporter"
    assert profile.select_one(".role").get_text() == "Middle East correspondent"
    assert profile.select_one(".bio em").get_text() == "Beirut"
    assert "She joined the Gazette in 2012." in profile.select_one(".bio").get_text()
    links = [(a.get_text(), a["href"]) for a in profile.select(".profile-links a")]
    assert links == [("Mastodon", "https://mastodon.social/@jane"),
                     ("Website", "https://jane.example.com/"),
                     ("Email", "mailto:jane@example.com")]
    photo = profile.select_one("img")
    assert photo["alt"] == "Jane Reporter in Beirut"
    assert (photo["width"], photo["height"]) == ("640", "640")
    copies = [entry.split()[0] for entry in photo["srcset"].split(", ")]
    assert [entry.split()[1] for entry in photo["srcset"].split(", ")] == [
        "128w", "256w", "512w", "640w"]
    assert copies[0].startswith("/photos/") and copies[0].endswith("/jane-128.jpg")
    assert copies[-1] == "/authors/jane.jpg"
    for url in copies:
        assert (built[0] / "output" / url.lstrip("/")).is_file(), url
    # The profile comes above the stories, which it does not replace.
    assert profile.find_next("div", class_="cards") is not None
    assert len(page.select(".cards .card")) == 2


def test_a_story_shows_a_byline_box_per_profiled_author(built: tuple[Path, str]) -> None:
    boxes = soup(built[0], STORY).select("article .byline-box")
    assert [box.select_one(".byline-name a")["href"] for box in boxes] == [
        "/authors/jane-reporter/", "/authors/li-wei/"]
    jane, li = boxes
    assert jane.select_one(".byline-name a").get_text() == "Jane Q. Reporter"
    assert jane.select_one(".role").get_text() == "Middle East correspondent"
    assert jane.select_one(".byline-bio").get_text() == "Jane covers Syria and Lebanon from Beirut."
    assert li.select_one(".byline-bio").get_text() == (
        "Li builds the Gazette's <script>charts</script>.")
    # Reuters has no profile: a byline, no box.
    charts = soup(built[0], "/2020/03/01/charts/")
    assert [a.get_text() for a in charts.select(".byline-box .byline-name a")] == ["Li Wei"]
    assert [a.get_text() for a in charts.select(".story-head .byline a")] == ["Li Wei", "Reuters"]


def test_json_ld_authors_have_the_profile_url_and_same_as(built: tuple[Path, str]) -> None:
    script = soup(built[0], STORY).select_one('script[type="application/ld+json"]')
    authors = json.loads(script.string)["author"]
    assert authors == [
        {"@type": "Person", "name": "Jane Reporter",
         "url": "https://gazette.example.org/authors/jane-reporter/",
         "jobTitle": "Middle East correspondent",
         "image": "https://gazette.example.org/authors/jane.jpg",
         "sameAs": ["https://mastodon.social/@jane", "https://jane.example.com/"]},
        {"@type": "Person", "name": "Li Wei", "url": "https://gazette.example.org/authors/li-wei/",
         "jobTitle": "Data editor", "sameAs": ["https://li.example.net/"]},
    ]


def test_a_folio_toml_table_is_a_profile(built: tuple[Path, str]) -> None:
    profile = soup(built[0], "/authors/li-wei/").select_one("main .profile")
    assert profile.select_one(".profile-name").get_text() == "Li Wei"
    assert profile.select_one(".role").get_text() == "Data editor"
    assert [a["href"] for a in profile.select(".profile-links a")] == ["https://li.example.net/"]
    assert profile.select_one("img") is None
    # Raw HTML in a bio is text, as in a story body without [markdown] html = true.
    bio = profile.select_one(".bio").get_text().strip()
    assert bio == "Li builds the Gazette's <script>charts</script>."
    assert profile.select_one("script") is None


def test_profiles_are_not_stories_and_an_orphan_warns(built: tuple[Path, str]) -> None:
    site, err = built
    home = soup(site, "/")
    assert sorted(a.get_text() for a in home.select(".card-title a")) == [
        "Beirut port", "Budget", "Charts"]
    assert not (site / "output/authors/jane-reporter.md").exists()
    assert soup(site, "/authors/reuters/").select_one(".profile") is None
    assert err.splitlines() == [
        "Warning: content/authors/nobody-here.md: no published story has a byline whose URL "
        "part is 'nobody-here', so the profile is not shown; check the spelling of the file "
        "name or table"]


def test_a_profile_edit_rebuilds_as_a_clean_build_does(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files(), CONFIG + TABLE)
    profile = site / "content/authors/jane-reporter.md"
    story = site / "content/2020/beirut-port.md"
    edits = [
        # A body edit: a quick build, whose pages (profiles and all) come from the saved plan.
        lambda: story.write_text(story.read_text().replace("Body text.", "New text.")),
        lambda: profile.write_text(JANE.replace("Middle East", "Gulf"), encoding="utf-8"),
        lambda: (site / "folio.toml").write_text(CONFIG + TABLE.replace("Data", "Graphics")),
        lambda: (site / "content/authors/jane.jpg").write_bytes(photo_bytes(500, 400)),
        lambda: profile.unlink(),
    ]
    assert build(site, "--jobs", "1").code == 0
    for edit in edits:
        edit()
        result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
        assert result.code == 0, result.err
        assert "content/authors/nobody-here.md: no published story" in result.err
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".folio-cache", "output"))
        assert build(clean, "--jobs", "1").code == 0
        assert tree(site / "output") == tree(clean / "output")
    boxes = soup(site, STORY).select(".byline-box .role")
    assert [role.get_text() for role in boxes] == ["Graphics editor"]


def test_bad_profile_fields_are_errors_naming_file_line_and_field(tmp_path: Path) -> None:
    bad = ("---\nrole: [one, two]\nphoto: portrait.jpg\nlinks:\n  mastodon: '@jane'\n"
           "bio: Hi\n---\nAlso hi.\n")
    table = '\n[authors.li-wei]\nrole = "Editor"\nlinks = ["https://li.example.net/"]\n'
    site = make_site(tmp_path / "site", {**files(), "authors/jane-reporter.md": bad},
                     CONFIG + table)
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  content/authors/jane-reporter.md:2: role: expected text, got a list",
        "  content/authors/jane-reporter.md:3: photo: expected src, alt, caption and credit, "
        "got 'portrait.jpg'",
        "  content/authors/jane-reporter.md:4: links.mastodon: expected an http(s) address "
        "such as https://example.org/, or mailto:name@example.org, got '@jane'",
        "  content/authors/jane-reporter.md:6: bio: the biography is also written below the "
        "front matter; keep one",
        "  folio.toml:8: authors.li-wei.links[0]: expected label: and url:, "
        "got 'https://li.example.net/'",
    ]
    assert not (site / "output").exists()
