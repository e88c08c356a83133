"""Links of imported bodies to paths the archive does not hold point at the old site;
links to the archive, to static files and to `[links] outside` paths stay as they are."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import build, photo_bytes, run_folio
from importing import HTML_ON, folio_import, fresh_site, output_pages, read_story

OLD = "https://old.example.org"

FIRST = """\
---
title: First Story
author: Ana Lima
date: 2020-01-02T10:00:00-05:00
tags: [Budget]
---
Read [our careers page](/careers/) and [the second story](/2020/02/second/).

The [budget tag](/tags/budget/), [how to apply](/jobs/apply/), [the report](/files/report.pdf)
and [home](/). An old [feed](/index.xml?full=1#top).

![A chart](/img/chart.png)

[![A thumbnail](/img/thumb.png)](/img/full.png)

<p>Meet <a href="/about/team/">the team</a>.</p>

See [the archive][arc].

    [in code](/in-code/)

[arc]: /old-archive/
"""

SECOND = """\
---
title: Second Story
author: Ben Okafor
date: 2020-02-03T10:00:00-05:00
---
Back to [the first story](/2020/01/first-story/).
"""


def old_hugo_site(root: Path, base_url: str = f"{OLD}/") -> Path:
    """A Hugo site whose two posts link to each other and to the rest of the old site."""
    (root / "content" / "posts").mkdir(parents=True)
    config = 'title = "Old Site"\n[permalinks]\nposts = "/:year/:month/:slug/"\n'
    if base_url:
        config = f'baseURL = "{base_url}"\n' + config
    (root / "config.toml").write_text(config, encoding="utf-8")
    (root / "content" / "posts" / "first-story.md").write_text(FIRST, encoding="utf-8")
    (root / "content" / "posts" / "second.md").write_text(SECOND, encoding="utf-8")
    return root


def new_site(root: Path) -> Path:
    """A fresh site with a static file, images under content/ and `/jobs/` living beside
    the archive."""
    site = fresh_site(root)
    (site / "content" / "img").mkdir()
    for name in ("chart.png", "thumb.png"):
        (site / "content" / "img" / name).write_bytes(photo_bytes(40, 30, "PNG"))
    (site / "static" / "files").mkdir(parents=True)
    (site / "static" / "files" / "report.pdf").write_bytes(b"%PDF-1.4\n")
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(f'search = false\n{HTML_ON}\n[links]\noutside = ["/jobs/"]\n')
    return site


def body_links(site: Path, page: str) -> list[str]:
    html = output_pages(site)[page]
    story = BeautifulSoup(html, "html.parser").select_one(".story-body, article")
    assert story is not None
    return [a["href"] for a in story.find_all("a")] + [img["src"] for img in story.find_all("img")]


def test_links_outside_the_archive_point_at_the_old_site(tmp_path: Path) -> None:
    old = old_hugo_site(tmp_path / "old")
    site = new_site(tmp_path / "site")
    result = folio_import(site, "hugo", old, "--report", tmp_path / "report.json")
    assert result.code == 0, result.out
    assert "Note: 5 link(s) in 1 story to paths the archive does not hold now point at the " \
        "old site" in result.out
    _, body = read_story(site / "content" / "2020" / "first-story.md")
    for rewritten in ("/careers/", "/about/team/", "/index.xml?full=1#top", "/old-archive/"):
        assert f"{OLD}{rewritten}" in body, rewritten
    for kept in ("](/2020/02/second/)", "](/tags/budget/)", "](/jobs/apply/)",
                 "](/files/report.pdf)", "](/)", "![A chart](/img/chart.png)",
                 "[![A thumbnail](/img/thumb.png)]", "    [in code](/in-code/)"):
        assert kept in body, kept
    assert f"]({OLD}/img/full.png)" in body, "a link to an image is a link"
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["links_rewritten"] == 5
    assert report["links_not_rewritten"] == []

    built = build(site)
    assert built.code == 0, built.err
    links = body_links(site, "2020/01/first-story/index.html")
    assert f"{OLD}/careers/" in links and f"{OLD}/about/team/" in links
    assert "/2020/02/second/" in links, "the other story, at its new URL"
    assert {"/tags/budget/", "/jobs/apply/", "/files/report.pdf", "/"} <= set(links)
    assert (site / "output" / "2020" / "02" / "second" / "index.html").is_file()
    assert "/2020/01/first-story/" in body_links(site, "2020/02/second/index.html")
    assert run_folio("check", "--site", site).code == 0
    assert run_folio("check", "--links", "--site", site).code == 0


def test_without_the_old_address_links_stay_and_are_reported_by_line(tmp_path: Path) -> None:
    old = old_hugo_site(tmp_path / "old", base_url="")
    site = new_site(tmp_path / "site")
    result = folio_import(site, "hugo", old, "--report", tmp_path / "report.json")
    assert result.code == 0, result.out
    written = site / "content" / "2020" / "first-story.md"
    lines = written.read_text("utf-8").splitlines()
    careers = next(n for n, line in enumerate(lines, 1) if "/careers/" in line)
    team = next(n for n, line in enumerate(lines, 1) if "/about/team/" in line)
    assert f"warning: link outside the archive: line {careers}: /careers/ is no page of the " \
        "archive; give the old site's address with --source-base-url" in result.out
    assert f"line {team}: /about/team/ is no page" in result.out
    assert "Warning: 5 link(s) to paths the archive does not hold are left as they were" \
        in result.out
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["links_rewritten"] == 0
    assert [entry["file"] for entry in report["links_not_rewritten"]] == \
        ["content/2020/first-story.md"] * 5

    checked = run_folio("check", "--site", site)
    assert checked.code == 1
    assert "content/2020/first-story.md: links to /careers/" in checked.err


def test_the_address_given_wins_and_html_bodies_are_rewritten(tmp_path: Path) -> None:
    site = new_site(tmp_path / "site")
    export = tmp_path / "export.xml"
    export.write_text(WXR, encoding="utf-8")
    result = folio_import(site, "wordpress", export, "--source-base-url", "https://wp.example.com/")
    assert result.code == 0, result.out
    _, body = read_story(site / "content" / "2015" / "harbour.md")
    assert '<a href="https://wp.example.com/shop/?item=2">' in body
    assert '<a href="/2015/09/ferry/">' in body, "an alias of the other story"
    assert '<img src="/wp-content/uploads/a.jpg"' in body, "image sources are left alone"
    bad = folio_import(site, "wordpress", export, "--source-base-url", "wp.example.com")
    assert bad.code == 2
    assert "--source-base-url expects the old site's address" in bad.err


def test_a_wordpress_export_names_its_own_address(tmp_path: Path) -> None:
    site = new_site(tmp_path / "site")
    export = tmp_path / "export.xml"
    export.write_text(WXR.replace(
        "<channel><title>Courier</title>",
        "<channel><title>Courier</title><wp:base_blog_url>https://blog.example.com"
        "</wp:base_blog_url>"), encoding="utf-8")
    assert folio_import(site, "wordpress", export).code == 0
    _, body = read_story(site / "content" / "2015" / "harbour.md")
    assert '<a href="https://blog.example.com/shop/?item=2">' in body
    assert '<a href="/2015/09/ferry/">' in body


def test_a_jekyll_base_path_is_kept_once(tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "_posts").mkdir(parents=True)
    (old / "_config.yml").write_text(
        "title: Blog\nurl: https://team.example.org\nbaseurl: /blog\n", encoding="utf-8")
    (old / "_posts" / "2019-05-06-hello.md").write_text(
        "---\ntitle: Hello\nauthor: Ana Lima\n---\n"
        "[About]({{ site.baseurl }}/about/), [contact](/blog/contact/), [shop](/shop/).\n",
        encoding="utf-8")
    site = new_site(tmp_path / "site")
    assert folio_import(site, "jekyll", old).code == 0
    _, body = read_story(site / "content" / "2019" / "hello.md")
    assert body.strip() == (
        "[About](https://team.example.org/blog/about/), "
        "[contact](https://team.example.org/blog/contact/), "
        "[shop](https://team.example.org/blog/shop/)."
    )


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Courier</title><link>https://wp.example.com</link>
<item><title>Harbour</title><link>https://wp.example.com/2015/09/harbour/</link>
<dc:creator>ana</dc:creator><wp:post_id>1</wp:post_id>
<wp:post_date>2015-09-18 17:10:00</wp:post_date><wp:post_name>harbour</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<p>See <a href="/shop/?item=2">the shop</a> and
<a href="/2015/09/ferry/">the ferry</a>.</p><img src="/wp-content/uploads/a.jpg" alt="A">]]>
</content:encoded></item>
<item><title>Ferry</title><link>https://wp.example.com/2015/09/ferry/</link>
<dc:creator>ana</dc:creator><wp:post_id>2</wp:post_id>
<wp:post_date>2015-09-19 10:00:00</wp:post_date><wp:post_name>ferry</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<p>Fares rise.</p>]]></content:encoded></item>
</channel></rss>
"""


def test_roles_and_author_data_become_profiles(tmp_path: Path) -> None:
    old = tmp_path / "old"
    posts = old / "content" / "posts"
    posts.mkdir(parents=True)
    (old / "config.toml").write_text('baseURL = "https://old.example.org/"\n', encoding="utf-8")
    authors = old / "content" / "authors" / "jwhite"
    authors.mkdir(parents=True)
    (authors / "_index.md").write_text(
        "---\ntitle: Jason White\nphoto: https://img.example.org/jason.jpg\n---\n"
        "Jason leads *data science*.\n", encoding="utf-8")
    (posts / "one.md").write_text(
        "---\ntitle: One\nauthor: Max Neuvians and Tim Arney, Developers\n"
        "date: 2020-01-02\n---\nOne.\n", encoding="utf-8")
    (posts / "two.md").write_text(
        "---\ntitle: Two\nauthors: ['Max Neuvians, Senior Developer', jwhite]\n"
        "date: 2021-03-04\n---\nTwo.\n", encoding="utf-8")
    (posts / "three.md").write_text(
        "---\ntitle: Three\nauthor: Ana Lima, Editor\ndate: 2021-05-06\n---\nThree.\n",
        encoding="utf-8")
    site = new_site(tmp_path / "site")
    own = "---\nrole: Managing editor\n---\nAna runs the desk.\n"
    (site / "content" / "authors").mkdir()
    (site / "content" / "authors" / "ana-lima.md").write_text(own, encoding="utf-8")

    dry = folio_import(site, "hugo", old, "--dry-run")
    assert "profile: would write content/authors/max-neuvians.md (Senior Developer)" in dry.out
    assert sorted(p.name for p in (site / "content" / "authors").iterdir()) == ["ana-lima.md"]

    result = folio_import(site, "hugo", old, "--report", tmp_path / "report.json")
    assert result.code == 0, result.out
    assert "profile: wrote content/authors/tim-arney.md (Developers)" in result.out
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["profiles_written"] == 3
    profiles = site / "content" / "authors"
    assert sorted(p.name for p in profiles.iterdir()) == [
        "ana-lima.md", "jason-white.md", "max-neuvians.md", "tim-arney.md"]
    assert (profiles / "ana-lima.md").read_text("utf-8") == own, "never overwritten"
    assert (profiles / "max-neuvians.md").read_text("utf-8") == \
        "---\nname: Max Neuvians\nrole: Senior Developer\n---\n", "the newest story's role"
    assert (profiles / "jason-white.md").read_text("utf-8") == (
        "---\nname: Jason White\nphoto:\n  src: https://img.example.org/jason.jpg\n"
        "  alt: Jason White\n---\n\nJason leads *data science*.\n")
    again = folio_import(site, "hugo", old)
    assert "profile:" not in again.out, "a second import writes none"

    built = build(site)
    assert built.code == 0, built.err
    pages = output_pages(site)
    for slug, role in [("max-neuvians", "Senior Developer"), ("tim-arney", "Developers"),
                       ("ana-lima", "Managing editor")]:
        page = BeautifulSoup(pages[f"authors/{slug}/index.html"], "html.parser")
        shown = page.select_one(".role")
        assert shown is not None and shown.get_text(strip=True) == role, slug
    jason = BeautifulSoup(pages["authors/jason-white/index.html"], "html.parser")
    assert "Jason leads" in jason.get_text()
    assert any("img.example.org/jason.jpg" in (img.get("src") or "")
               for img in jason.find_all("img"))
