"""`folio import feed`: RSS 2.0 and Atom files through feedparser."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from importing import FIXTURES, built_articles, by_title, folio_import, fresh_site, read_story

RSS = FIXTURES / "feed" / "gazette.rss"
ATOM = FIXTURES / "feed" / "newsroom.atom"


def test_rss_items_become_stories(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "feed", RSS)
    assert result.code == 0, result.out
    assert "gazette.rss #4: no date" in result.out
    assert result.out.strip().endswith("3 imported, 0 unchanged, 1 skipped, 0 failed.")
    stories = by_title(site)
    weapons = stories["Russia Sends New Weapons to Syria, Sources Say"]
    assert weapons["byline"] == ["Reuters", "VICE News"]
    assert weapons["date"] == datetime.fromisoformat("2015-09-18T17:10:00-04:00")
    assert str(weapons["date"].utcoffset()) == "-1 day, 20:00:00"
    assert weapons["tags"] == ["Syria", "Russia"]
    assert weapons["dek"] == "Syrian forces have started using new Russian weapons."
    assert weapons["photo"] == {
        "src": "https://img.example.com/2015/latakia.jpg", "credit": "al-Manara Network"
    }
    assert "aliases" not in weapons, "the old link is the new URL: no redirect needed"
    harbour = stories["Harbour Reopens After Storm"]
    assert harbour["byline"] == ["Staff"]
    assert harbour["photo"] == {"src": "https://img.example.com/2015/harbour.jpg"}
    assert harbour["aliases"] == ["/stories/4411.html"]
    assert "dek" not in harbour
    assert built_articles(site) == 3


def test_html_content_is_kept_as_html(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "feed", RSS)
    [path] = (site / "content").rglob("russia-sends-new-weapons.md")
    _, body = read_story(path)
    assert "<p>Syrian forces have started using new air and ground weapons supplied by " \
        "<em>Russia</em>, a military source said.</p>" in body
    assert "set `html = true` under [markdown]" in result.out


def test_atom_entries_become_stories(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "feed", ATOM)
    assert result.code == 0, result.out
    stories = by_title(site)
    talks = stories["Ceasefire Talks Resume in Geneva"]
    assert talks["byline"] == ["Ana Lima", "Ben Okafor"]
    assert talks["date"].isoformat() == "2015-10-01T14:00:00+02:00"
    assert talks["updated"].isoformat() == "2015-10-01T18:30:00+02:00"
    assert talks["tags"] == ["Diplomacy", "Syria"]
    assert talks["photo"] == {"src": "https://img.newsroom.example.net/geneva.png"}
    assert talks["aliases"] == ["/world/ceasefire-talks-resume/"]
    assert talks["dek"] == "Delegations returned to the table after a week."
    note = stories["Desk Note: Corrections Policy"]
    assert note["byline"] == ["Newsroom Desk"], "the feed's author stands in for the entry's"
    assert note["date"].isoformat() == "2015-10-02T09:00:00+00:00"
    assert built_articles(site) == 2


def test_html_renders_when_the_site_allows_it(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write("\n[markdown]\nhtml = true\n")
    result = folio_import(site, "feed", ATOM)
    assert "html = true" not in result.out
    assert built_articles(site) == 2
    page = site / "output" / "2015" / "10" / "01" / "ceasefire-talks-resume" / "index.html"
    assert "<strong>Geneva</strong>" in page.read_text(encoding="utf-8")
