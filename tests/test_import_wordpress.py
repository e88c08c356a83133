"""`folio import wordpress`: WXR exports in the http:// and https:// namespaces."""

from __future__ import annotations

from pathlib import Path

from importing import FIXTURES, built_articles, by_title, folio_import, fresh_site, summary

HTTP = FIXTURES / "wordpress" / "export-1.2-http.xml"
HTTPS = FIXTURES / "wordpress" / "export-1.1-https.xml"


def test_posts_of_a_1_2_export(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", HTTP)
    assert result.code == 0, result.out
    assert "#43: a private post" in result.out
    assert "#2: a page (add --pages to import pages)" in result.out
    assert summary(result) == "2 imported, 0 unchanged, 2 skipped, 0 failed."
    stories = by_title(site)
    assert set(stories) == {
        "Harbour Reopens After Three-Day Storm", "Ferry Fares to Rise in Spring"
    }
    harbour = stories["Harbour Reopens After Three-Day Storm"]
    assert harbour["date"].isoformat() == "2015-09-18T17:10:00-04:00", "local time, GMT offset"
    assert harbour["byline"] == ["Ana Lima"], "the author's display name, not the login"
    assert harbour["section"] == "Local News", "Uncategorized means no section"
    assert harbour["tags"] == ["Harbour", "Weather"]
    assert harbour["dek"] == "Ferries run again from Saturday."
    assert harbour["photo"] == {
        "src": "https://courier.example.com/wp-content/uploads/2015/09/harbour-dawn.jpg",
        "alt": "Fishing boats moored in the harbour at dawn",
        "caption": "Boats at first light.",
    }
    assert harbour["aliases"] == ["/2015/09/harbour-reopens/"]
    assert "2 shortcode(s) kept as text" in result.out
    draft = stories["Ferry Fares to Rise in Spring"]
    assert draft["draft"] is True
    assert draft["date"].isoformat() == "2015-09-20T10:00:00-04:00", "no GMT time: site zone"
    assert "aliases" not in draft, "a draft's ?p= link is no old URL"
    assert built_articles(site) == 2


def test_pages_with_a_flag(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", HTTP, "--pages")
    assert summary(result) == "3 imported, 0 unchanged, 1 skipped, 0 failed."
    assert by_title(site)["About the Courier"]["aliases"] == ["/about/"]
    assert built_articles(site) == 3


def test_https_namespace_export_and_mapped_custom_fields(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", HTTPS, "--map", "subtitle=dek")
    assert result.code == 0, result.out
    assert "#9: in the trash" in result.out
    assert "featured image 99 is not in the export" in result.out
    stories = by_title(site)
    tram = stories["Zürich Votes on New Tram Line"]
    assert tram["date"].isoformat() == "2016-03-01T09:00:00+01:00"
    assert tram["byline"] == ["Mia Müller"]
    assert tram["section"] == "Transport"
    assert tram["tags"] == ["Zürich", "Trams"], "further categories join the tags"
    assert tram["dek"] == "A 12-kilometre line would link the airport and the lake."
    assert tram["aliases"] == ["/transport/zurich-tram-vote/"]
    assert "photo" not in tram
    assert built_articles(site) == 2


def test_custom_fields_are_not_imported_unless_mapped(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    folio_import(site, "wordpress", HTTPS)
    assert "dek" not in by_title(site)["Zürich Votes on New Tram Line"]


def test_not_an_export(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", FIXTURES / "feed" / "gazette.rss")
    assert result.code == 1
    assert "gazette.rss: not a WordPress export" in result.out
