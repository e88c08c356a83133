"""`folio import jekyll|hugo|eleventy|pelican`: other generators' content folders."""

from __future__ import annotations

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
    assert unpadded["date"].isoformat() == "2015-09-08", "date from 2015-9-8-, no time invented"
    assert unpadded["byline"] == ["Jane Doe"], "author slug from _data/authors.yml"
    assert unpadded["tags"] == ["syria", "russia"], "a space-separated string"
    assert unpadded["section"] == "World"
    liquid = found["Liquid Tags Become Markdown"]
    assert liquid["date"].isoformat() == "2015-09-18T17:10:00-04:00"
    assert liquid["byline"] == ["Jane Doe", "Ben Okafor"]
    assert liquid["section"] == "News"
    assert liquid["tags"] == ["Syria", "Russia", "Politics"]
    assert liquid["dek"] == "Template tags become what they showed.", "Markdown read, as text"
    assert liquid["photo"] == {"src": "https://img.example.org/tanks.jpg"}
    assert liquid["aliases"] == ["/old/liquid-tags/", "/2015/liquid.html",
                                 "/news/politics/2015/09/18/liquid-and-redirects.html"]
    assert liquid["layout"] == "post" and liquid["comments"] is True, "unknown keys are kept"
    assert found["Not Yet Published"]["draft"] is True
    own = found["A Post With Its Own Permalink"]
    assert own["aliases"] == ["/2016/old-style-url.html"]
    assert own["source_photo"] == "/assets/img/local.jpg" and "photo" not in own
    assert own["dek"] == "The permalink becomes an alias; the local image is kept aside."
    assert "warning: 1 template tag(s) shown as a placeholder: tweetbox" in result.out
    assert "1 template tag(s) or shortcode(s) the import cannot translate show as a " \
        "placeholder in 1 story: tweetbox (1)" in result.out
    assert built_articles(site) == 4


def test_liquid_becomes_markdown(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    folio_import(site, "jekyll", FIXTURES / "jekyll")
    built_articles(site)
    page = output_pages(site)["2015/09/18/liquid-and-redirects/index.html"]
    story = BeautifulSoup(page, "html.parser").select_one(".story-body")
    assert story is not None
    assert story.find("img", src="https://img.example.org/tanks.jpg", alt="Tanks") is not None
    assert story.find("em", string="Tanks on the road.") is not None
    assert "The title was Liquid Tags Become Markdown;" in story.get_text()
    links = {a.get_text(): a["href"] for a in story.find_all("a")}
    assert links["the earlier post"] == "/2015/09/08/unpadded-file-name/", "post_url: new URL"
    assert links["its permalink"] == "/2016/01/03/permalink-and-local-image/", "an old permalink"
    code = story.find("code", class_="language-ruby")
    assert code is not None and code.get_text() == 'puts "{{ not a tag }}"\n'
    assert "Write {{ name }} to print a name." in story.get_text(), "{% raw %} as written"
    assert "Nobody sees this" not in page
    assert "[Embedded content from the original site: tweetbox]" in story.get_text()
    assert "{%" not in story.get_text()


HUGO_SHORTCODES = """---
title: Every Built-in Shortcode
date: 2019-03-04T10:00:00+01:00
author: Jane Doe
mood: calm
---
{{< figure src="https://img.example.org/f.jpg" alt="A field" caption="Harvest time" >}}

Read [the earlier story]({{< ref "2019-01-02-earlier.md" >}}) and
[its second part]({{< relref "posts/2019-01-02-earlier.md#part-2" >}}).

{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}

{{< tweet 1088527608873127936 >}}

{{< youtube w7Ft2ymGmfc >}}

{{< vimeo id="146022717" >}}

{{< gist spf13 7896402 >}}

{{< instagram BWNjjyYFxVx >}}

{{< highlight go "linenos=table" >}}
fmt.Println("{{ . }}")
{{< /highlight >}}

The mood was {{< param mood >}}.

{{< img-right src="https://img.example.org/right.jpg" alt="Portrait" >}}

{{% callout %}}Wrapped **text** stays.{{% /callout %}}

{{< poll 42 >}}

Hugo prints {{ .Title }} and {% tags %} as they are.
"""


def test_hugo_shortcodes_become_markdown(tmp_path: Path) -> None:
    posts = tmp_path / "hugo" / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "2019-03-04-every-shortcode.md").write_text(HUGO_SHORTCODES, encoding="utf-8")
    (posts / "2019-01-02-earlier.md").write_text(
        "---\ntitle: Earlier\ndate: 2019-01-02T09:00:00+01:00\nauthor: Ana Lima\n---\n"
        "## Part 2 {#part-2}\n", encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", tmp_path / "hugo")
    assert "2 template tag(s) or shortcode(s) the import cannot translate show as a " \
        "placeholder in 1 story: callout (1), poll (1)" in result.out
    built_articles(site)
    page = output_pages(site)["2019/03/04/every-shortcode/index.html"]
    story = BeautifulSoup(page, "html.parser").select_one(".story-body")
    assert story is not None
    assert story.find("img", src="https://img.example.org/f.jpg", alt="A field") is not None
    assert story.find("em", string="Harvest time") is not None
    assert story.find("img", src="https://img.example.org/right.jpg", alt="Portrait") is not None
    links = {a.get_text(): a["href"] for a in story.find_all("a")}
    assert links == {
        "the earlier story": "/2019/01/02/earlier/",
        "its second part": "/2019/01/02/earlier/#part-2",
        "Post by @SanDiegoZoo on X": "https://x.com/SanDiegoZoo/status/1453110110599868418",
        "Post on X": "https://x.com/i/status/1088527608873127936",
        "YouTube video": "https://www.youtube.com/watch?v=w7Ft2ymGmfc",
        "Vimeo video": "https://vimeo.com/146022717",
        "Gist by spf13": "https://gist.github.com/spf13/7896402",
        "Instagram post": "https://www.instagram.com/p/BWNjjyYFxVx/",
    }
    code = story.find("code", class_="language-go")
    assert code is not None and code.get_text() == 'fmt.Println("{{ . }}")\n'
    text = story.get_text()
    assert "The mood was calm." in text
    assert story.find("strong", string="text") is not None, "a wrapper keeps its text"
    assert "[Embedded content from the original site: poll]" in text
    assert "Hugo prints {{ .Title }} and {% tags %} as they are." in text, "not Hugo's syntax"
    assert "{{<" not in text and "{{%" not in text


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
    assert "1 template tag(s) shown as a placeholder: note" in result.out
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
    assert nunjucks["date"].isoformat() == "2015-09-18", "Created: the file name's day"
    assert nunjucks["permalink"] == "/posts/{{ page.fileSlug }}/", "a template is no old path"
    second = found["Eleventy Dates With Seconds and Zone"]
    assert second["date"].isoformat() == "2015-10-05T06:07:08+00:00"
    assert second["dek"] == "Excerpt becomes the dek." and second["tags"] == ["Weather"]
    assert built_articles(site) == 2
    page = site / "output" / "2015" / "09" / "18" / "eleventy-post" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "<p>Hello, reader.</p>" in html, "{% set %} then {{ greeting }}"


def test_map_renames_a_front_matter_key(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", FIXTURES / "jekyll", "--map", "Layout=publication")
    assert result.code == 0, result.out
    liquid = by_title(site)["Liquid Tags Become Markdown"]
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


def _post(folder: Path, name: str, front_matter: str, body: str = "Body.") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\n{front_matter}---\n{body}\n", encoding="utf-8")


def test_dates_as_written(tmp_path: Path) -> None:
    posts = tmp_path / "eleventy" / "posts"
    _post(posts, "hour-only.md", "title: Hour Only\ndate: 2015-03-17 14:00:00 -4\n")
    _post(posts, "four-digits.md", "title: Four Digits\ndate: 2015-03-18 09:30 -0500\n")
    _post(posts, "half-hour.md", "title: Half Hour\ndate: 2015-03-19T08:00:00+05:30\n")
    _post(posts, "day-only.md", "title: Day Only\ndate: 2015-03-20\n")
    _post(posts, "2015-03-21-from-the-name.md", "title: From the Name\n")
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "eleventy", tmp_path / "eleventy")
    assert summary(result) == "5 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    dates = {title: meta["date"].isoformat() for title, meta in by_title(site).items()}
    assert dates == {
        "Hour Only": "2015-03-17T14:00:00-04:00",
        "Four Digits": "2015-03-18T09:30:00-05:00",
        "Half Hour": "2015-03-19T08:00:00+05:30",
        "Day Only": "2015-03-20",
        "From the Name": "2015-03-21",
    }
    assert built_articles(site) == 5
    pages = output_pages(site)
    day = BeautifulSoup(pages["2015/03/20/day-only/index.html"], "html.parser")
    time = day.select_one(".dateline time")
    assert time is not None and time["datetime"] == "2015-03-20"
    assert time.get_text() == "March 20, 2015", "no invented 12:00 am"
    hour = BeautifulSoup(pages["2015/03/17/hour-only/index.html"], "html.parser")
    time = hour.select_one(".dateline time")
    assert time is not None and time.get_text() == "March 17, 2015, 2 p.m. EDT"


def test_text_as_meant(tmp_path: Path) -> None:
    posts = tmp_path / "hugo" / "content" / "posts"
    _post(posts, "series.md", 'title: Series\ndate: 2020-01-02T10:00:00Z\ndeck: ""\n'
          "description: \nsummary: '**Senior Executives Part 4: Leading**&mdash;a *series*'\n"
          "excerpt: Not this one.\n")
    _post(posts, "link-post.md", "title: A Report Worth Reading\ndate: 2020-01-03T10:00:00Z\n"
          "source_url: https://example.com/report\n", "")
    _post(posts, "raw-html.md", "title: Raw HTML\ndate: 2020-01-04T10:00:00Z\n",
          '<p class="note">A note.</p>\n\nAnd `<code>` is no HTML.')
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", tmp_path / "hugo")
    assert "Note: the bodies of 1 story hold HTML; set `html = true` under [markdown]" \
        in result.out
    found = by_title(site)
    assert found["Series"]["dek"] == "Senior Executives Part 4: Leading\u2014a series"
    assert found["Series"]["excerpt"] == "Not this one."
    built_articles(site)
    pages = output_pages(site)
    series = BeautifulSoup(pages["2020/01/02/series/index.html"], "html.parser")
    dek = series.select_one(".dek")
    assert dek is not None and dek.get_text() == "Senior Executives Part 4: Leading\u2014a series"
    link = BeautifulSoup(pages["2020/01/03/link-post/index.html"], "html.parser")
    body = link.select_one(".story-body")
    assert body is not None and body.find("a", href="https://example.com/report") is not None
