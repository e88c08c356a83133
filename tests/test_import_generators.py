"""`folio import jekyll|hugo|eleventy|pelican`: other generators' content folders."""

from __future__ import annotations

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
    stories,
    summary,
)


def test_jekyll(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", FIXTURES / "jekyll")
    assert result.code == 0, result.out
    # At the site's root (it has _config.yml) only _posts/ holds stories.
    assert "about.md" not in result.out and "index.md" not in result.out
    assert summary(result) == "4 imported, 0 unchanged, 0 skipped, 0 failed."
    found = by_title(site)
    unpadded = found["A File Name Without Leading Zeros"]
    assert unpadded["date"].isoformat() == "2015-09-08T00:00:00-04:00", "date from 2015-9-8-"
    assert unpadded["byline"] == ["Jane Doe"], "author slug from _data/authors.yml"
    assert unpadded["tags"] == ["syria", "russia"], "a space-separated string"
    assert unpadded["section"] == "World"
    liquid = found["Liquid Tags Stay Visible"]
    assert liquid["date"].isoformat() == "2015-09-18T17:10:00-04:00"
    assert liquid["byline"] == ["Jane Doe", "Ben Okafor"]
    assert liquid["section"] == "News"
    assert liquid["tags"] == ["Syria", "Russia", "Politics"]
    assert liquid["dek"] == "Template tags are kept as text and counted."
    assert liquid["photo"] == {"src": "https://img.example.org/tanks.jpg"}
    assert liquid["aliases"] == ["/old/liquid-tags/", "/2015/liquid.html",
                                 "/news/politics/2015/09/18/liquid-and-redirects.html"]
    assert liquid["layout"] == "post" and liquid["comments"] is True, "unknown keys are kept"
    assert found["Not Yet Published"]["draft"] is True
    own = found["A Post With Its Own Permalink"]
    assert own["aliases"] == ["/2016/old-style-url.html"]
    assert own["source_photo"] == "/assets/img/local.jpg" and "photo" not in own
    assert own["dek"] == "The permalink becomes an alias; the local image is kept aside."
    assert "2 template tag(s) or shortcode(s) kept as text in 1 story" in result.out
    assert built_articles(site) == 4


def test_template_tags_stay_visible(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    folio_import(site, "jekyll", FIXTURES / "jekyll")
    _, body = read_story(site / "content" / "2015" / "liquid-and-redirects.md")
    # Escaped where it opens a line: Folio would read `{...}` there as attributes.
    assert '\n\\{% include figure.html src="tanks.jpg" %}\n' in body
    assert "The title was {{ page.title }}." in body
    built_articles(site)
    page = site / "output" / "2015" / "09" / "18" / "liquid-and-redirects" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "{% include figure.html" in html.replace("&quot;", '"')
    assert "{{ page.title }}" in html


def test_hugo_yaml(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", FIXTURES / "hugo-yaml")
    assert result.code == 0, result.out
    assert result.out.count("a list page (_index.md)") == 2
    assert summary(result) == "3 imported, 0 unchanged, 2 skipped, 0 failed."
    assert set(stories(site)) == {"2015/first-post.md", "2015/bundle.md", "2015/unknown-author.md"}
    found = by_title(site)
    first = found["Shortcodes Stay Visible"]
    assert first["draft"] is True
    assert first["updated"].isoformat() == "2015-09-19T09:00:00-04:00"
    assert first["byline"] == ["Jane Doe"], "author slug from data/authors.yaml"
    assert first["dek"] == "Hugo's description becomes the dek."
    assert first["aliases"] == ["/old/first/"]
    assert "3 template tag(s) kept as text" in result.out
    bundle = found["A Page Bundle"]
    assert bundle["byline"] == ["Sam Reed"], "Author: in mixed case"
    assert bundle["photo"] == {"src": "https://img.example.org/bundle-1.jpg"}
    assert bundle["source_photos"] == ["https://img.example.org/bundle-2.jpg"]
    opinion = found["Kicker Becomes Section"]
    assert opinion["section"] == "Opinion" and opinion["dek"] == "A deck is a dek."
    assert opinion["date"].isoformat() == "2015-10-02T08:30:00-04:00"
    assert opinion["byline"] == ["Lee Kim"]
    assert "'lee-kim' is a slug no authors file names" in result.out
    assert built_articles(site) == 3


def test_hugo_toml(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", FIXTURES / "hugo-toml")
    assert result.code == 0, result.out
    assert summary(result) == "2 imported, 0 unchanged, 1 skipped, 0 failed."
    found = by_title(site)
    toml = found["TOML Front Matter"]
    assert toml["date"].isoformat() == "2015-09-18T17:10:00-04:00"
    assert toml["byline"] == ["Ana Lima", "Ben Okafor"]
    assert toml["section"] == "Sport" and toml["tags"] == ["Syria", "Russia"]
    assert toml["aliases"] == ["/old/toml-post/", "/2015/toml-post-old/"]
    assert "draft" not in toml
    local = found["A Local Time Without Offset"]
    assert local["date"].isoformat() == "2015-09-19T08:00:00-04:00", "site timezone"
    assert local["photo"] == {"src": "https://img.example.org/toml.jpg"}
    assert local["tags"] == ["Weather"]
    assert built_articles(site) == 2


def test_pelican(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "pelican", FIXTURES / "pelican")
    assert result.code == 0, result.out
    assert "pages/about.md: no date" in result.out
    assert summary(result) == "3 imported, 0 unchanged, 1 skipped, 0 failed."
    assert "2015/pelican-headers.md" in stories(site), "Slug: names the file"
    found = by_title(site)
    headers = found["Pelican Headers Become Front Matter"]
    assert headers["date"].isoformat() == "2015-09-18T17:10:00-04:00"
    assert headers["updated"].isoformat() == "2015-09-19T08:00:00-04:00"
    assert headers["section"] == "Politics"
    assert headers["tags"] == ["Syria", "Russia", "United States"]
    assert headers["byline"] == ["Ana Lima", "Ben Okafor"]
    assert headers["dek"] == "Pelican's summary becomes the dek, even when it runs over two lines."
    assert found["A Pelican Draft"]["draft"] is True
    zoned = found["Upper-Case Keys and a Zone"]
    assert zoned["date"].isoformat() == "2015-10-03T10:00:00+02:00"
    assert zoned["tags"] == ["Zürich"]
    assert built_articles(site) == 3


def test_eleventy(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "eleventy", FIXTURES / "eleventy")
    assert result.code == 0, result.out
    assert "eleventy/index.md: no date" in result.out
    assert summary(result) == "2 imported, 0 unchanged, 1 skipped, 0 failed."
    found = by_title(site)
    nunjucks = found["Nunjucks Stays Visible"]
    assert nunjucks["date"].isoformat() == "2015-09-18T00:00:00-04:00", "Created: the file name"
    assert nunjucks["permalink"] == "/posts/{{ page.fileSlug }}/", "a template is no old path"
    assert "2 template tag(s) kept as text" in result.out
    second = found["Eleventy Dates With Seconds and Zone"]
    assert second["date"].isoformat() == "2015-10-05T06:07:08+00:00"
    assert second["dek"] == "Excerpt becomes the dek." and second["tags"] == ["Weather"]
    assert built_articles(site) == 2
    page = site / "output" / "2015" / "09" / "18" / "eleventy-post" / "index.html"
    html = page.read_text(encoding="utf-8").replace("&quot;", '"')
    assert '{% set greeting = "Hello" %}' in html and "{{ greeting }}, reader." in html


def test_map_renames_a_front_matter_key(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", FIXTURES / "jekyll", "--map", "Layout=publication")
    assert result.code == 0, result.out
    liquid = by_title(site)["Liquid Tags Stay Visible"]
    assert liquid["publication"] == "post" and "layout" not in liquid


HOSTILE_MARKDOWN = """---
title: Ferry Timetable
date: 2016-05-04
url: " JaVaScRiPt:alert('alias')"
aliases: ["data:text/html,x", "/old/ferry-timetable/"]
---

The <span onclick="steal()">new</span> timetable starts <em>Monday</em>.

<div class="embed">
<script async src="https://platform.example.com/widgets.js"></script>
<blockquote onmouseover="x()">Ferries every hour.</blockquote>
</div>

<iframe src="https://evil.example.net/frame"></iframe>

<details>
<summary>Fares</summary>

Adults **4.50**, see <a href="https://ferry.example.com/fares/">fares</a>.

</details>

```html
<script>shown as code</script>
```
"""


def test_raw_html_in_markdown_is_cleaned(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(HTML_ON)
    posts = tmp_path / "hugo" / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "ferry-timetable.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    result = folio_import(site, "hugo", tmp_path / "hugo")
    assert summary(result) == "1 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert "warning: aliases: 'data:text/html,x' is a data: link" in result.out
    assert "warning: aliases: \" JaVaScRiPt:alert('alias')\" is a javascript: link" in result.out
    assert "warning: body: left out HTML that imported bodies may not carry (onclick on <span>, " \
        "<script>, onmouseover on <blockquote>, <iframe>)" in result.out
    [path] = (site / "content").rglob("ferry-timetable.md")
    meta, body = read_story(path)
    assert meta["aliases"] == ["/old/ferry-timetable/"]
    assert body == (
        "\nThe <span>new</span> timetable starts <em>Monday</em>.\n\n"
        '<div class="embed">\n<blockquote>Ferries every hour.</blockquote>\n</div>\n\n\n'
        "<details>\n<summary>Fares</summary>\n\n"
        'Adults **4.50**, see <a href="https://ferry.example.com/fares/">fares</a>.\n\n'
        "</details>\n\n```html\n<script>shown as code</script>\n```\n"
    ), "Markdown and safe HTML as written; code untouched"
    assert build(site).code == 0
    page = output_pages(site)["2016/05/04/ferry-timetable/index.html"]
    assert scripted_markup(page) == []
    assert "&lt;script&gt;shown as code&lt;/script&gt;" in page
    assert "<strong>4.50</strong>" in page
