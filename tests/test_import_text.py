"""`folio import text`: the seed story and other plain-text layouts."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from generator.importers.bylines import Person, people
from generator.importers.dates import parse_dateline
from generator.importers.interpret import headline_slug

from conftest import REPO
from importing import (
    FIXTURES,
    built_articles,
    by_title,
    content_tree,
    folio_import,
    fresh_site,
    read_story,
    summary,
)

SEED = REPO / "tests" / "fixtures" / "seed-000_9b3f2ec0a0e2ae96.txt"
EXAMPLE = REPO / "content" / "2015" / "russian-weapons-keep-rolling-towards-syria.md"


def _seed_site(root: Path) -> Path:
    """The repository's own folio.toml with an empty content/."""
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "folio.toml", root / "folio.toml")
    return root


def _trimmed(body: str) -> list[str]:
    return [line.rstrip() for line in body.strip().splitlines()]


def test_seed_imports_to_the_example_article(tmp_path: Path) -> None:
    site = _seed_site(tmp_path / "site")
    result = folio_import(site, "text", SEED)
    assert result.code == 0, result.out + result.err
    written = site / "content" / EXAMPLE.relative_to(REPO / "content")
    assert written.is_file(), result.out
    meta, body = read_story(written)
    example_meta, example_body = read_story(EXAMPLE)
    assert meta == example_meta
    assert _trimmed(body) == _trimmed(example_body)
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed."


def test_seed_import_again_changes_nothing(tmp_path: Path) -> None:
    site = _seed_site(tmp_path / "site")
    assert folio_import(site, "text", SEED).code == 0
    before = content_tree(site)
    again = folio_import(site, "text", SEED)
    assert again.code == 0
    assert again.out.startswith("unchanged")
    assert summary(again) == "0 imported, 1 unchanged, 0 skipped, 0 failed."
    assert content_tree(site) == before


def test_seed_builds_like_the_example(tmp_path: Path) -> None:
    site = _seed_site(tmp_path / "site")
    folio_import(site, "text", SEED)
    assert built_articles(site) == 1
    page = site / "output" / "2015" / "09" / "18" / "russian-weapons-keep-rolling-towards-syria"
    html = (page / "index.html").read_text(encoding="utf-8")
    assert "News by VICE" in html and "al-Manara Network" in html


def test_text_folder_imports_every_layout_and_names_the_broken_file(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "text", FIXTURES / "text")
    assert result.code == 1
    assert "failed      " in result.out and "notes.txt: no byline or dateline" in result.out
    assert summary(result) == "3 imported, 0 unchanged, 0 skipped, 1 failed."
    stories = by_title(site)
    budget = stories["Three Reporters Share a Byline on the City Budget"]
    assert budget["byline"] == ["Ana Lima", "Ben Okafor", "Chen Wei"]
    assert budget["publication"] == "World"
    assert budget["date"] == datetime.fromisoformat("2015-09-18T09:05:00-04:00")
    assert budget["photo"] == {"credit": "Dana Ruiz"}
    assert budget["related"] == [
        {"title": "The Budget, Explained", "url": "https://example.org/budget-explained"},
        {"title": "Council Approves the Budget"},
    ]
    harbour = stories["Storm Closes Harbour for a Second Day"]
    assert harbour["dek"] == "Ferries stayed in port as gusts reached 90 km/h."
    assert harbour["byline"] == ["Staff"]
    assert harbour["photo"] == {"credit": "Port Authority"}
    market = stories["Markets Rally as Oil Steadies"]
    assert market["byline"] == ["Jane Doe"]
    assert market["updated"] == datetime.fromisoformat("2015-09-21T09:30:00-04:00")
    assert "named no author and got the byline 'Staff'" in result.out
    assert built_articles(site) == 3


def test_lines_that_do_not_parse_stay_in_the_body(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    folio_import(site, "text", FIXTURES / "text" / "budget-story.txt")
    [path] = (site / "content").rglob("*.md")
    _, body = read_story(path)
    assert body.strip().split("\n\n") == [
        "The council passed its budget on Friday after a night of debate.",
        "Spending on transit rises by a tenth.\n"
        "Photo via nobody in particular, a line inside a paragraph that stays in the body.",
    ]


def test_default_byline_option(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(
        site, "text", FIXTURES / "text" / "harbour.txt", "--default-byline", "Courier Desk"
    )
    assert result.code == 0
    assert by_title(site)["Storm Closes Harbour for a Second Day"]["byline"] == ["Courier Desk"]


@pytest.mark.parametrize(("line", "expected"), [
    ("Sep 18 2015, 5:10pm", "2015-09-18T17:10:00"),
    ("September 18, 2015", "2015-09-18T00:00:00"),
    ("Friday, September 18, 2015 at 5:10 PM", "2015-09-18T17:10:00"),
    ("Sept. 18, 2015 12:05 a.m.", "2015-09-18T00:05:00"),
    ("18 September 2015 17:10", "2015-09-18T17:10:00"),
    ("18th Sep 2015, 17:10 GMT", "2015-09-18T17:10:00+00:00"),
    ("Sep 18 2015 5:10pm -04:00", "2015-09-18T17:10:00-04:00"),
])
def test_dateline_forms(line: str, expected: str) -> None:
    assert parse_dateline(line) == datetime.fromisoformat(expected)


@pytest.mark.parametrize("line", ["Russia Sends Tanks", "May the best", "Sep 31 2015", "5:10pm"])
def test_not_datelines(line: str) -> None:
    assert parse_dateline(line) is None


@pytest.mark.parametrize(("text", "names"), [
    ("Reuters and VICE News", ["Reuters", "VICE News"]),
    ("Ana Lima, Ben Okafor and Chen Wei", ["Ana Lima", "Ben Okafor", "Chen Wei"]),
    ("Ana Lima, Ben Okafor, and Chen Wei", ["Ana Lima", "Ben Okafor", "Chen Wei"]),
    ("Ana Lima & Ben Okafor", ["Ana Lima", "Ben Okafor"]),
    ("Jane Doe", ["Jane Doe"]),
    ("A, B and C", ["A", "B", "C"]),
    ("Jane Doe and Reuters", ["Jane Doe", "Reuters"]),
])
def test_byline_splitting(text: str, names: list[str]) -> None:
    assert [person.name for person in people(text)] == names


# Bylines as digital-canada-hugo writes them (../shared/corpora, MIT).
@pytest.mark.parametrize(("text", "language", "found"), [
    ("Pascale Elvas, Senior Director", "en", [("Pascale Elvas", "Senior Director")]),
    ("Max Neuvians and Tim Arney, Developers", "en",
     [("Max Neuvians", "Developers"), ("Tim Arney", "Developers")]),
    ("Emily Coffin, UX Design and Phil Smith, UX Design", "en",
     [("Emily Coffin", "UX Design"), ("Phil Smith", "UX Design")]),
    ("Jason White, chef, sciences des données", "fr",
     [("Jason White", "chef, sciences des données")]),
    ("Yael Berger et Eva Demers-Brett", "fr", [("Yael Berger", ""), ("Eva Demers-Brett", "")]),
    ("Amir Abou-Jawde, Developer, Immigration, Refugees and Citizenship Canada", "en",
     [("Amir Abou-Jawde", "Developer, Immigration, Refugees, Citizenship Canada")]),
    ("Megan Beretta, CDS; Linda McNamara and Shelina Virani-Potvin, Office of the Chief "
     "Human Resources Officer", "en",
     [("Megan Beretta", "CDS"),
      ("Linda McNamara", "Office of the Chief Human Resources Officer"),
      ("Shelina Virani-Potvin", "Office of the Chief Human Resources Officer")]),
    ("Caitlin Tuba, CDS and Po Tea-Duncan, TBS Cyber Security, Office of the CIO", "en",
     [("Caitlin Tuba", "CDS"), ("Po Tea-Duncan", "TBS Cyber Security, Office of the CIO")]),
    ("Équipe chargée des politiques du Service numérique canadien (SNC)", "fr",
     [("Équipe chargée des politiques du Service numérique canadien (SNC)", "")]),
    ("Yaprak Baltac\u0131o\u011flu, Secrétaire du Conseil du Trésor", "fr",
     [("Yaprak Baltac\u0131o\u011flu", "Secrétaire du Conseil du Trésor")]),
    ("Michael Edgar, Health Canada", "en", [("Michael Edgar", "Health Canada")]),
    ("Omar Tehsin (développeur de logiciels)", "fr",
     [("Omar Tehsin", "développeur de logiciels")]),
    ("Sherry Rumbolt \u2013 Services partagés Canada (SPC)", "fr",
     [("Sherry Rumbolt", "Services partagés Canada (SPC)")]),
])
def test_names_and_roles(text: str, language: str, found: list[tuple[str, str]]) -> None:
    assert people(text, language) == [Person(name, role) for name, role in found]


def test_long_headlines_make_short_slugs() -> None:
    title = "Russian Weapons Keep Rolling Towards Syria as Russia and the US Open Talks"
    assert headline_slug(title) == "russian-weapons-keep-rolling-towards-syria"
    assert headline_slug("Short Headline") == "short-headline"


def test_a_byline_without_a_dateline_fails(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    story = tmp_path / "undated.txt"
    story.write_text("A Headline\n\nby Jane Doe\n\nBody.\n", encoding="utf-8")
    result = folio_import(site, "text", story)
    assert result.code == 1
    assert "undated.txt: no dateline near the top" in result.out
