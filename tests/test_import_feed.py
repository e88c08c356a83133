"""`folio import feed`: RSS 2.0 and Atom files through feedparser."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import build
from importing import (
    FIXTURES,
    HTML_ON,
    built_articles,
    by_title,
    folio_import,
    fresh_site,
    output_pages,
    read_story,
    scripted_markup,
    summary,
)

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


HOSTILE_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Gazette</title><link>https://gazette.example.com/</link>
<item><title>Bridge Opens</title>
<link>data:text/html,&lt;script&gt;alert('alias')&lt;/script&gt;</link>
<pubDate>Mon, 02 May 2016 09:00:00 -0400</pubDate>
<description><![CDATA[<p onmouseover="steal()">The <em>bridge</em> opens.</p>
<script>alert("feed-script")</script>
<p><a href="vbscript:msgbox(1)">old</a> <a href="https://gazette.example.com/map/">map</a></p>
<img src="https://img.example.com/bridge.jpg" alt="Bridge" onload="alert(2)">]]></description>
</item>
<item><title>Tunnel Closes</title>
<link> JaVaScRiPt:alert(1)//tunnel-closes/</link>
<pubDate>Tue, 03 May 2016 09:00:00 -0400</pubDate>
<description><![CDATA[<p>Tunnel <a href=" JaVaScRiPt:alert(3)">closes</a>.</p>]]></description>
</item>
</channel></rss>
"""


def test_hostile_items_are_cleaned_and_give_no_alias(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    source = tmp_path / "hostile.rss"
    source.write_text(HOSTILE_RSS, encoding="utf-8")
    result = folio_import(site, "feed", source)
    assert summary(result) == "2 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert "hostile.rss #1)\n" in result.out
    assert "warning: aliases: \"data:text/html,<script>alert('alias')</script>\" is a data: " \
        "link, not a web address; left out" in result.out
    assert "warning: aliases: 'JaVaScRiPt:alert(1)//tunnel-closes/' is a javascript: link" \
        in result.out
    assert "warning: body: left out HTML that imported bodies may not carry (" in result.out
    stories = by_title(site)
    assert "aliases" not in stories["Bridge Opens"] and "aliases" not in stories["Tunnel Closes"]
    names = sorted(path.name for path in (site / "content").rglob("*.md"))
    assert names == ["bridge-opens.md", "tunnel-closes.md"], "slugs from headlines, not links"
    _, bridge = read_story(site / "content" / "2016" / "bridge-opens.md")
    for payload in ("onmouseover", "<script", "feed-script", "vbscript", "onload"):
        assert payload not in bridge, payload
    assert "<p>The <em>bridge</em> opens.</p>" in bridge
    assert '<a href="https://gazette.example.com/map/">map</a>' in bridge
    assert '<img alt="Bridge" src="https://img.example.com/bridge.jpg">' in bridge, \
        "feedparser writes attributes in order"
    assert build(site).code == 0
    pages = output_pages(site)
    for page in ("2016/05/02/bridge-opens/index.html", "2016/05/03/tunnel-closes/index.html"):
        assert scripted_markup(pages[page]) == [], page
    assert not any("alert" in page for page in pages.values())
