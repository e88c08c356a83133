"""`folio import wordpress`: WXR exports in the http:// and https:// namespaces."""

from __future__ import annotations

import gzip
from pathlib import Path

from bs4 import BeautifulSoup

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

HTTP = FIXTURES / "wordpress" / "export-1.2-http.xml"
HTTPS = FIXTURES / "wordpress" / "export-1.1-https.xml"


def test_posts_of_a_1_2_export(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", HTTP)
    assert result.code == 0, result.out
    assert "'Notes for the Editor Only' was private in WordPress; imported as a draft" in result.out
    assert "#2: a page (add --pages to import pages)" in result.out
    assert summary(result) == "3 imported, 0 unchanged, 1 skipped, 0 failed."
    stories = by_title(site)
    assert set(stories) == {
        "Harbour Reopens After Three-Day Storm", "Ferry Fares to Rise in Spring",
        "Notes for the Editor Only",
    }
    assert stories["Notes for the Editor Only"]["draft"] is True
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
    _, body = read_story(site / "content" / "2015" / "harbour-reopens.md")
    assert '<figure class="wp-caption alignnone"><img src="https://courier.example.com/' \
        'wp-content/uploads/2015/09/harbour-dawn.jpg" alt="Boats"><figcaption>Boats at first ' \
        'light.</figcaption></figure>' in body, "[caption] as the figure WordPress showed"
    draft = stories["Ferry Fares to Rise in Spring"]
    assert draft["draft"] is True
    assert draft["date"].isoformat() == "2015-09-20T10:00:00-04:00", "no GMT time: site zone"
    assert "aliases" not in draft, "a draft's ?p= link is no old URL"
    assert built_articles(site) == 3


def test_pages_with_a_flag_are_standalone_pages(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", HTTP, "--pages")
    assert summary(result) == "4 imported, 0 unchanged, 0 skipped, 0 failed."
    assert "imported    content/pages/about.md" in result.out
    meta, _ = read_story(site / "content" / "pages" / "about.md")
    assert meta["title"] == "About the Courier"
    assert not {"byline", "section", "tags", "photo", "aliases"} & set(meta), \
        "a page's own fields; its URL /about/ is its old one"
    assert built_articles(site) == 3, "three stories, and a page that is no story"
    about = BeautifulSoup(output_pages(site)["about/index.html"], "html.parser")
    assert about.h1 is not None and about.h1.get_text(strip=True) == "About the Courier"


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


WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Courier</title><link>https://courier.example.com</link>
<wp:wxr_version>1.2</wp:wxr_version>
"""


def _post(number: int, title: str, body: str, *, status: str = "publish", password: str = "",
          link: str = "") -> str:
    slug = title.lower().replace(" ", "-")
    return f"""<item><title>{title}</title>
<link>{link or f"https://courier.example.com/2016/05/{slug}/"}</link>
<dc:creator>Ana Lima</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>{number}</wp:post_id>
<wp:post_date>2016-05-0{number} 09:00:00</wp:post_date>
<wp:post_date_gmt>2016-05-0{number} 13:00:00</wp:post_date_gmt>
<wp:post_name>{slug}</wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_password>{password}</wp:post_password>
<wp:post_type>post</wp:post_type></item>
"""


def _export(tmp_path: Path, *posts: str) -> Path:
    path = tmp_path / "export.xml"
    path.write_text(WXR_HEAD + "".join(posts) + "</channel></rss>\n", encoding="utf-8")
    return path


HOSTILE_BODY = """<p onclick="steal()">Council <strong>votes</strong> today.</p>
<script>alert("wp-script")</script>
<img src="https://img.example.com/council.jpg" alt="The council" onerror="alert('img')">
<p><a href=" JaVaScRiPt:alert('link')">Click</a> and <a href="data:text/html,x">this</a>.</p>
<iframe src="https://evil.example.net/frame"></iframe>
<h2>Budget</h2>
<figure><img src="https://img.example.com/c.png" alt="C"><figcaption>Chart</figcaption></figure>
<table><tbody><tr><th>Year</th><td>2016</td></tr></tbody></table>
<ul><li>one</li><li>two</li></ul>
<blockquote>Quoted.</blockquote>
<p><a href="https://courier.example.com/budget/">Budget</a>,
<a href="mailto:desk@example.com">desk</a>, <a href="/archive/">archive</a>,
<code>x &lt; y</code></p>"""


def test_scripts_handlers_and_script_links_never_reach_the_page(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    source = _export(tmp_path, _post(1, "Council Votes", HOSTILE_BODY))
    result = folio_import(site, "wordpress", source)
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert "export.xml #1)\n" in result.out
    assert "warning: body: left out HTML that imported bodies may not carry (" in result.out
    [path] = (site / "content").rglob("council-votes.md")
    _, body = read_story(path)
    for payload in ("<script", "onclick", "onerror", "javascript", "data:", "<iframe", "alert"):
        assert payload not in body.lower(), payload
    for kept in (
        "<p>Council <strong>votes</strong> today.</p>",
        '<img src="https://img.example.com/council.jpg" alt="The council">',
        "<h2>Budget</h2>",
        '<figure><img src="https://img.example.com/c.png" alt="C"><figcaption>Chart</figcaption>'
        "</figure>",
        "<table><tbody><tr><th>Year</th><td>2016</td></tr></tbody></table>",
        "<ul><li>one</li><li>two</li></ul>",
        "<blockquote>Quoted.</blockquote>",
        '<a href="https://courier.example.com/budget/">Budget</a>',
        '<a href="mailto:desk@example.com">desk</a>',
        '<a href="/archive/">archive</a>',
        "<code>x &lt; y</code>",
    ):
        assert kept in body, kept
    assert build(site).code == 0
    page = output_pages(site)["2016/05/01/council-votes/index.html"]
    assert scripted_markup(page) == []
    assert "<strong>votes</strong>" in page and "<h2>Budget</h2>" in page


def test_protected_private_and_pending_posts_are_drafts(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    source = _export(
        tmp_path,
        _post(1, "Open Story", "<p>For everyone.</p>"),
        _post(2, "Members Story", "<p>Members-only text.</p>", password="enter"),
        _post(3, "Editors Story", "<p>Editors-only text.</p>", status="private"),
        _post(4, "Waiting Story", "<p>Waiting-for-review text.</p>", status="pending"),
    )
    result = folio_import(site, "wordpress", source)
    assert summary(result) == "4 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert "warning: draft: 'Members Story' was password-protected in WordPress; imported " \
        "as a draft" in result.out
    assert "warning: draft: 'Editors Story' was private in WordPress; imported as a draft" \
        in result.out
    stories = by_title(site)
    for hidden in ("Members Story", "Editors Story", "Waiting Story"):
        assert stories[hidden]["draft"] is True, hidden
    assert "draft" not in stories["Open Story"]
    assert build(site).code == 0
    published = everything_built(site / "output")
    assert "For everyone." in published and "open-story" in published
    for hidden in ("Members", "Editors", "Waiting", "members-story", "editors-story",
                   "waiting-story"):
        assert hidden not in published, hidden
    assert built_articles(site) == 4, "--drafts shows them"
    assert "Waiting-for-review text." in everything_built(site / "output")


def test_a_script_link_is_no_alias(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    source = _export(
        tmp_path,
        _post(1, "Data Link", "<p>One.</p>", link="data:text/html,&lt;script&gt;alert(1)"),
        _post(2, "Script Link", "<p>Two.</p>", link=" JaVaScRiPt:alert(1)//2016/05/x/"),
    )
    result = folio_import(site, "wordpress", source)
    assert summary(result) == "2 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert "#1)\n            warning: aliases: 'data:text/html,<script>alert(1)' is a data: link" \
        in result.out
    assert "#2)\n            warning: aliases: 'JaVaScRiPt:alert(1)//2016/05/x/' is a " \
        "javascript: link" in result.out
    stories = by_title(site)
    assert "aliases" not in stories["Data Link"] and "aliases" not in stories["Script Link"]
    assert [meta.get("slug") for meta in stories.values()] == [None, None]
    assert sorted(p.name for p in (site / "content").rglob("*.md")) == [
        "data-link.md", "script-link.md"
    ]
    assert built_articles(site) == 2


WORDPRESS_TEST_EXPORT = (Path(__file__).resolve().parents[2] / "shared" / "corpora"
                         / "wordpress-theme-test" / "themeunittestdata.wordpress.xml")


def everything_built(output: Path) -> str:
    """Every file of a built site as text: pages, feeds, sitemaps and the search index
    (its gzip-compressed shards decompressed)."""
    texts = []
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data.startswith(b"\x1f\x8b"):
            data = gzip.decompress(data)
        texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


CORPUS_EXPORT = (Path(__file__).resolve().parent / "fixtures" / "corpora"
                 / "wordpress-theme-test" / "themeunittestdata.wordpress.xml")


def test_the_real_exports_password_protected_post_is_published_nowhere(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", CORPUS_EXPORT)
    assert result.code == 0, result.out
    title = 'Template: Password Protected (the password is "enter")'
    assert by_title(site)[title]["draft"] is True
    hidden = ("Template: Password Protected", "template-password-protected",
              "should not be visible until the password is entered")
    assert build(site).code == 0
    published = everything_built(site / "output")
    assert "Markup: Image Alignment" in published
    assert "Markup: Image Alignment" in everything_built(site / "output" / "pagefind"), \
        "the search index is read too"
    for marker in hidden:
        assert marker not in published, marker
    assert build(site, "--drafts").code == 0
    with_drafts = everything_built(site / "output")
    for marker in hidden:
        assert marker in with_drafts, f"{marker}: what the check looks for, shown with --drafts"


def test_the_real_exports_pages_keep_their_old_urls(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    result = folio_import(site, "wordpress", WORDPRESS_TEST_EXPORT, "--pages")
    assert "imported    content/pages/about.md" in result.out
    assert "imported    content/pages/level-3.md" in result.out
    nested, _ = read_story(site / "content" / "pages" / "level-3.md")
    assert nested["aliases"] == ["/level-1/level-2/level-3/"]
    assert not (site / "content" / "2012" / "about.md").exists()
    built = build(site)
    assert built.code == 0, built.err
    pages = output_pages(site)
    for url, title in [("about", "About The Tests"), ("level-1", "Level 1"),
                       ("level-3", "Level 3"), ("page-image-alignment", "Page Image Alignment")]:
        page = BeautifulSoup(pages[f"{url}/index.html"], "html.parser")
        assert page.h1 is not None and page.h1.get_text(strip=True) == title, url
    for old, new in [("level-1/level-2/level-3", "/level-3/"),
                     ("about/page-image-alignment", "/page-image-alignment/"),
                     ("greek/επίπεδο-2", "/επιπεδο-2/")]:  # its link has a double slash
        redirect = BeautifulSoup(pages[f"{old}/index.html"], "html.parser")
        assert redirect.find("link", rel="canonical")["href"].endswith(new), old
    listed = pages["index.html"] + pages["archive/index.html"]
    assert "About The Tests" not in listed, "a page is in no list"


def test_wordpress_theme_test_export_imports_and_builds_as_it_is(tmp_path: Path) -> None:
    """The real export, unchanged: its "Many Categories" post has more tags than a
    site may show; the importer keeps the first max_tags and the rest in front matter,
    so the site builds with no setting raised."""
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "wordpress", WORDPRESS_TEST_EXPORT)
    assert "more_tags: more than max_tags (50) in folio.toml allows" in result.out
    many = by_title(site)["Edge Case: Many Categories"]
    assert len(many["tags"]) == 50
    assert summary(result) == "58 imported, 0 unchanged, 21 skipped, 0 failed."
    assert "This post has no title, but it still must link…" in by_title(site)
    assert (site / "content" / "2009" / "edge-case-no-title.md").is_file()
    assert "title: none in the source (WordPress allows that)" in result.out
    assert len(many["tags"]) + len(many["source_more_tags"]) > 50
    built = build(site)
    assert built.code == 0, built.err


ATTACHMENT = """<item><title>{title}</title>
<wp:post_id>{number}</wp:post_id><wp:post_parent>{parent}</wp:post_parent>
<wp:menu_order>{order}</wp:menu_order><wp:post_type>attachment</wp:post_type>
<excerpt:encoded xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"><![CDATA[{caption}]]>
</excerpt:encoded>
<wp:attachment_url>https://courier.example.com/img/{number}.jpg</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>
<wp:meta_value>{title}</wp:meta_value></wp:postmeta></item>
"""

SHORTCODES = """<p>Start [sic] here.</p>
[gallery columns="2"]
[gallery ids="12,11"]
[embed]https://www.youtube.com/watch?v=w7Ft2ymGmfc[/embed]
[audio mp3="https://courier.example.com/a/blues.mp3"][/audio]
[video src="https://courier.example.com/v/ferry.mp4"]
[contact-form-7 id="3" title="Tips"]
[pullquote]Quoted words.[/pullquote]
[gallery ids="99"]"""


def test_shortcodes_become_html(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    attachments = "".join(
        ATTACHMENT.format(title=title, number=number, parent=1, order=order, caption=caption)
        for title, number, order, caption in [("Dock", 11, 2, "The dock."), ("Pier", 12, 1, "")]
    )
    export = _export(tmp_path, _post(1, "Shortcodes", SHORTCODES), attachments)
    result = folio_import(site, "wordpress", export)
    assert "warning: 3 shortcode(s) shown as a placeholder: pullquote, contact-form-7, gallery" \
        in result.out
    assert "placeholder in 1 story: pullquote (1), contact-form-7 (1), gallery (1)" in result.out
    assert build(site).code == 0
    page = BeautifulSoup(output_pages(site)["2016/05/01/shortcodes/index.html"], "html.parser")
    body = page.select_one(".story-body")
    assert body is not None
    galleries = body.select(".gallery")
    assert [[img["src"] for img in g.find_all("img")] for g in galleries] == [
        ["https://courier.example.com/img/12.jpg", "https://courier.example.com/img/11.jpg"],
        ["https://courier.example.com/img/12.jpg", "https://courier.example.com/img/11.jpg"],
    ], "the post's attachments in menu order, then the ids in the order given"
    assert galleries[0].find("img")["alt"] == "Pier"
    assert galleries[0].find("figcaption").get_text() == "The dock."
    embed = body.find("a", href="https://www.youtube.com/watch?v=w7Ft2ymGmfc")
    assert embed is not None and embed.get_text() == "YouTube video"
    audio = body.find("audio")
    assert audio is not None and audio["src"] == "https://courier.example.com/a/blues.mp3"
    video = body.find("video")
    assert video is not None and video["src"] == "https://courier.example.com/v/ferry.mp4"
    text = body.get_text()
    assert "Start [sic] here." in text, "words in brackets are no shortcode"
    assert "[Embedded content from the original site: contact-form-7]" in text
    assert "[Embedded content from the original site: gallery]" in text, "no such images"
    assert "Quoted words." in text and "[pullquote" not in text
