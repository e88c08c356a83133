"""Whole builds: determinism, themes, drafts, the output swap, base URLs under a path."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, article, build, run_folio, tree
from sitewalk import Site

SiteFactory = Callable[..., Path]
STORIES = {
    "one.md": article("First.", title="One", tags=["Syria"], date="2020-01-01T10:00:00Z"),
    "two.md": article("Second.", title="Two", tags=["syria"], date="2020-01-02T10:00:00Z"),
}


def test_two_builds_give_byte_identical_trees(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = site_factory(STORIES)
    assert build(site, "--output", tmp_path / "a").code == 0
    assert build(site, "--output", tmp_path / "b").code == 0
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    assert len(first) > 10


def test_site_template_overrides_theme_and_can_extend_it(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "theme/article.html" %}'
        '{% block main %}<p class="house-note">House style</p>{{ super() }}{% endblock %}'
    )
    assert build(site).code == 0
    page = Site(site / "output").soup("/2020/01/02/two/")
    assert page.select_one(".house-note").get_text() == "House style"
    assert page.select_one("h1").get_text() == "Two"  # the theme's block still renders


def test_site_theme_folder_replaces_builtin_template(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    templates = site / "themes" / "paper" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text("<p>Lost at sea</p>\n")
    (site / "folio.toml").write_text((site / "folio.toml").read_text() + 'theme = "paper"\n')
    assert build(site).code == 0
    assert (site / "output" / "404.html").read_text() == "<p>Lost at sea</p>\n"
    assert (site / "output" / "index.html").is_file()  # other templates from the built-in theme


def test_drafts_and_future_articles_only_on_request(site_factory: SiteFactory) -> None:
    site = site_factory({
        **STORIES,
        "draft.md": article(title="Draft", draft=True),
        "later.md": article(title="Later", date="2030-01-01T00:00:00Z"),
    })
    assert build(site).code == 0
    titles = {a.get_text() for a in Site(site / "output").soup("/").select(".card-title a")}
    assert titles == {"One", "Two"}
    assert build(site, "--drafts", "--future").code == 0
    titles = {a.get_text() for a in Site(site / "output").soup("/").select(".card-title a")}
    assert titles == {"One", "Two", "Draft", "Later"}


def test_source_date_epoch_decides_what_is_future(site_factory: SiteFactory) -> None:
    site = site_factory({"later.md": article(title="Later", date="2030-01-01T00:00:00Z")})
    page = site / "output" / "2030" / "01" / "01" / "later" / "index.html"
    for offset, built in ((-60, False), (60, True)):
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(1893456000 + offset)}  # 2030-01-01 UTC
        result = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--site", site, "--quiet"],
            env=env, capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, result.stderr
        assert page.is_file() == built


def test_rebuild_removes_pages_of_deleted_articles(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    assert build(site).code == 0
    assert (site / "output" / "2020" / "01" / "01" / "one" / "index.html").is_file()
    (site / "content" / "one.md").unlink()
    assert build(site).code == 0
    assert not (site / "output" / "2020" / "01" / "01").exists()
    # Beside output/ only the tree one build older, which the next build updates.
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == [
        ".output.previous"
    ]


def test_base_url_with_a_path_prefixes_every_link(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    result = build(site, "--base-url", "https://example.org/archive/")
    assert result.code == 0, result.err
    soup = Site(site / "output").soup("/2020/01/02/two/")
    hrefs = [a["href"] for a in soup.select("a[href^='/']")]
    assert hrefs and all(h.startswith("/archive/") for h in hrefs)
    canonical = soup.select_one("link[rel=canonical]")["href"]
    assert canonical == "https://example.org/archive/2020/01/02/two/"


def test_naive_dates_take_the_site_timezone(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article(date="2020-07-04 23:30")})
    assert build(site).code == 0
    page = Site(site / "output").soup("/2020/07/04/a/")
    assert page.select_one(".dateline time")["datetime"] == "2020-07-04T23:30:00-04:00"


def test_refuses_an_output_folder_that_holds_the_site(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    result = build(site, "--output", site)
    assert result.code == 1
    assert "holds the site itself" in result.err
    assert (site / "content" / "one.md").is_file()


def test_content_folder_is_never_modified(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    before = tree(site / "content")
    assert build(site).code == 0
    assert build(site, "--drafts").code == 0
    assert tree(site / "content") == before


def test_unknown_front_matter_keys_reach_templates(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article(desk="Metro desk <b>")})
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "theme/article.html" %}'
        '{% block main %}<p id="desk">{{ article.extra.desk }}</p>{% endblock %}'
    )
    assert build(site).code == 0
    html = (site / "output" / "2020" / "05" / "01" / "a" / "index.html").read_text()
    assert '<p id="desk">Metro desk &lt;b&gt;</p>' in html


def test_template_error_names_template_and_line(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    (site / "templates").mkdir()
    (site / "templates" / "list.html").write_text("line one\n{{ nothing_here.title }}\n")
    result = build(site)
    assert result.code == 1
    assert "templates/list.html:2" in result.err
    assert "nothing_here" in result.err


def test_permalink_pattern_is_configurable(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES, config=(
        'title = "T"\nbase_url = "https://t.example/"\npermalink = "/{section}/{slug}/"\n'
    ))
    assert build(site).code == 0
    assert (site / "output" / "news" / "two" / "index.html").is_file()


def test_markdown_html_setting(site_factory: SiteFactory) -> None:
    body = 'Text <span class="x">raw</span>'
    for setting, expected in (("false", "&lt;span"), ("true", '<span class="x">raw</span>')):
        site = site_factory({"a.md": article(body)}, config=(
            f'title = "T"\nbase_url = "https://t.example/"\n[markdown]\nhtml = {setting}\n'
        ))
        assert build(site).code == 0
        html = (site / "output" / "2020" / "05" / "01" / "a" / "index.html").read_text()
        assert expected in html


@pytest.mark.slow
def test_wheel_ships_the_default_theme(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, REPO],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("folio-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/themes/default/templates/base.html" in names
    assert "generator/themes/default/static/css/folio.css" in names


def test_html_is_parseable_and_has_one_h1(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    assert build(site).code == 0
    walker = Site(site / "output")
    for url in walker.pages():
        soup: BeautifulSoup = walker.soup(url)
        if soup.select_one("meta[http-equiv=refresh]"):
            continue
        assert len(soup.select("h1")) == 1, url
        assert soup.html["lang"] == "en"


def test_list_summary_is_the_first_paragraph_without_footnote_marks(
    site_factory: SiteFactory,
) -> None:
    body = "Four million people have *fled*.[^1]\n\nMore.\n\n[^1]: UNHCR."
    site = site_factory({"a.md": article(body)})
    assert build(site).code == 0
    summary = Site(site / "output").soup("/").select_one(".card-summary").get_text()
    assert summary == "Four million people have fled."


def test_hidden_files_and_editor_backups_are_skipped(site_factory: SiteFactory) -> None:
    broken = "not an article at all"
    site = site_factory({
        "story.md": article(title="Kept"),
        ".hidden.md": broken,
        "story.md~": broken,
        "#story.md#": broken,
        "story.md.swp": broken,
        ".drafts/secret.md": broken,
    })
    result = build(site)
    assert result.code == 0, result.err
    titles = [a.get_text() for a in Site(site / "output").soup("/").select(".card-title a")]
    assert titles == ["Kept"]


@pytest.mark.parametrize(("byline", "authors"), [
    ("Reuters and VICE News", ["Reuters and VICE News"]),
    (["Reuters", "VICE News"], ["Reuters", "VICE News"]),
    (["Reuters", "reuters"], ["Reuters"]),
])
def test_byline_string_is_one_name_and_a_list_is_several(
    site_factory: SiteFactory, byline: str | list[str], authors: list[str]
) -> None:
    site = site_factory({"a.md": article(byline=byline)})
    assert build(site).code == 0
    walker = Site(site / "output")
    shown = [a.get_text() for a in walker.soup("/2020/05/01/a/").select(".byline a")]
    assert shown == authors
    index = [a.get_text() for a in walker.soup("/authors/").select(".term-list a")]
    assert index == sorted(authors)


def test_links_out_of_content_are_refused_and_links_within_are_not_walked_twice(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(article(title="Secret"))
    site = site_factory({"story.md": article(title="Kept")})
    (site / "content" / "loop").symlink_to(site / "content")
    assert build(site).code == 0
    (site / "content" / "leak.md").symlink_to(secret)
    (site / "content" / "outside").symlink_to(tmp_path)
    result = build(site)
    assert result.code == 1
    assert "content/leak.md: is a link to something outside content/ (or" in result.err
    assert "content/outside: is a link to something outside content/ (or" in result.err


def test_related_headline_links_to_a_matching_article_else_stays_text(
    site_factory: SiteFactory,
) -> None:
    related = [{"title": "tanks parked  at airfield"}, {"title": "Not in this archive"}]
    site = site_factory({
        "tanks.md": article(title="Tanks Parked at Airfield", date="2015-09-14T10:00:00Z"),
        "weapons.md": article(title="Weapons", related=related, date="2015-09-18T10:00:00Z"),
    })
    assert build(site).code == 0
    items = Site(site / "output").soup("/2015/09/18/weapons/").select(".related-links li")
    assert [(li.get_text(), li.a["href"] if li.a else None) for li in items] == [
        ("Tanks Parked at Airfield", "/2015/09/14/tanks/"),
        ("Not in this archive", None),
    ]


def test_a_broken_internal_link_fails_the_build_naming_page_and_target(
    site_factory: SiteFactory,
) -> None:
    site = site_factory({**STORIES, "three.md": article(
        "See [the budget](/2020/01/09/no-such-story/) and [ok](/tags/syria/).",
        title="Three", date="2020-01-03T10:00:00Z",
    )})
    assert build(site).code == 1
    result = build(site)
    assert "content/three.md: links to /2020/01/09/no-such-story/, which is not a page" in (
        result.err
    )
    assert "/tags/syria/" not in result.err
    assert not (site / "output").exists()


def test_a_rebuild_checks_the_links_of_pages_it_kept(site_factory: SiteFactory) -> None:
    """A story's page is not rendered again when another it links to is deleted;
    its links, kept from the last build, still fail the rebuild."""
    site = site_factory({**STORIES, "three.md": article(
        "See [the first](/2020/01/01/one/).", title="Three", date="2020-01-03T10:00:00Z",
    )})
    assert build(site).code == 0
    (site / "content" / "one.md").unlink()
    result = build(site)
    assert result.code == 1
    assert "content/three.md: links to /2020/01/01/one/, which is not a page" in result.err
    assert (site / "output" / "2020" / "01" / "01" / "one" / "index.html").is_file()


def test_links_elsewhere_are_not_checked_and_relative_links_are_resolved_from_the_page(
    site_factory: SiteFactory,
) -> None:
    site = site_factory({**STORIES, "three.md": article(
        "[Mail](mailto:desk@example.org), [top](#top), [wire](https://example.org/gone/), "
        "[feed](http://example.org/gone/), [phone](tel:+15550100), [tags](../../../../tags/syria/),"
        " [lost](nowhere/) and [lost too](HTTPS:/gone/).",
        title="Three", date="2020-01-03T10:00:00Z",
    )})
    result = build(site)
    assert result.code == 1
    broken = [line for line in result.err.splitlines() if "links to" in line]
    assert broken == [
        "  content/three.md: links to /2020/01/03/three/nowhere/, which is not a page or file "
        "of the site",
    ], result.err


def test_check_links_reads_the_built_site(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    assert build(site).code == 0
    assert run_folio("check", "--site", site, "--links").code == 0
    (site / "output" / "tags" / "syria" / "index.html").unlink()
    result = run_folio("check", "--site", site, "--links")
    assert result.code == 1
    assert "index.html: links to /tags/syria/" in result.err
