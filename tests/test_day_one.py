"""A newcomer's first hour: `folio init`, `new`, errors that teach, `check` before a build."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from test_serve import serving

from generator.site.config import load_config

from conftest import article, make_site, run_folio, tree

NOW = "2026-03-02T09:00:00+00:00"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site as `folio init` writes it."""
    site = tmp_path_factory.mktemp("day-one") / "gazette"
    result = run_folio("init", site, "--now", NOW)
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        f"  cd {site}", "  folio serve", '  folio new "Headline of your first story"']
    return site


@pytest.fixture(scope="module")
def built(started: Path) -> Path:
    _build(started)
    return started / "output"


def _page(output: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((output / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_init_writes_a_site_with_a_story_a_photo_and_an_about_page(started: Path) -> None:
    assert (started / ".gitignore").read_text().split() == [
        "output/", ".folio-cache/", ".output.previous/"]
    assert (started / "content" / "2026" / "newsroom.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert (started / "content" / "pages" / "about.md").is_file()
    assert (started / "content" / "2026" / "welcome.md").is_file()


def test_the_starter_folio_toml_names_every_setting_at_its_default(
    started: Path, tmp_path: Path
) -> None:
    text = (started / "folio.toml").read_text(encoding="utf-8")
    assert "# Byline of a story started by `folio new`" in text
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and (" = " in line or line[2] == "[") else line
        for line in text.splitlines())
    assert "default_byline" in tomllib.loads(uncommented)
    (tmp_path / "every").mkdir()
    (tmp_path / "every" / "folio.toml").write_text(uncommented, encoding="utf-8")
    minimal = make_site(tmp_path / "minimal", {},
                        'title = "Example Gazette"\nbase_url = "https://news.example.org/"\n')
    every, defaults = load_config(tmp_path / "every"), load_config(minimal)
    assert replace(every, site_dir=defaults.site_dir, output_dir=defaults.output_dir,
                   now=defaults.now, publish=(), authors=()) == defaults
    assert [target.name for target in every.publish] == ["live"]
    assert [table.slug for table in every.authors] == ["jane-reporter"]


def test_init_refuses_an_existing_site(started: Path) -> None:
    before = (started / "folio.toml").read_bytes()
    result = run_folio("init", started)
    assert result.code == 1
    assert f"{started}/folio.toml already exists" in result.err
    assert "refusing to overwrite" in result.err
    assert (started / "folio.toml").read_bytes() == before


def test_version() -> None:
    result = run_folio("--version")
    assert result.code == 0
    assert result.out.startswith("folio 0.")


def test_the_new_site_builds_with_its_story_photo_and_about_page(built: Path) -> None:
    story = _page(built, "2026/03/02/welcome")
    assert story.h1 and story.h1.get_text(strip=True) == "Welcome to your new archive"
    assert story.find("img", src=lambda s: s and "newsroom" in s)
    home = _page(built, "")
    assert home.find("a", href="/about/"), "the About page is in the menu"


def test_a_page_is_in_the_sitemap_but_in_no_feed_list_search_or_count(
    started: Path, built: Path
) -> None:
    assert "https://news.example.org/about/" in (built / "sitemap.xml").read_text()
    assert "/about/" not in (built / "feed.xml").read_text()
    home = _page(built, "")
    assert not home.select('main a[href="/about/"]'), "not listed among the stories"
    assert not _page(built, "about").find(attrs={"data-pagefind-body": True})
    assert _page(built, "2026/03/02/welcome").find(attrs={"data-pagefind-body": True})
    check = run_folio("check", "--site", started, "--now", NOW)
    assert check.out.startswith("OK: 1 article, "), check.out


def test_editing_a_page_rebuilds_it_as_a_clean_build_would(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_folio("init", site, "--now", NOW).code == 0
    _build(site)
    about = site / "content" / "pages" / "about.md"
    about.write_text(about.read_text().replace("Who we are", "Who we really are"))
    _build(site)
    assert "Who we really are" in (site / "output" / "about" / "index.html").read_text()
    about.write_text(about.read_text().replace("title: About", "title: About us\norder: 2"))
    _build(site)
    shutil.copytree(site, tmp_path / "clean",
                    ignore=shutil.ignore_patterns(".folio-cache", "output"))
    _build(tmp_path / "clean")
    assert tree(site / "output") == tree(tmp_path / "clean" / "output")
    assert _page(site / "output", "").find("a", href="/about/", string="About us")


@pytest.mark.parametrize("name", ["tags", "search", "2026"])
def test_a_page_on_a_url_folio_generates_is_an_error_naming_its_file(
    tmp_path: Path, name: str
) -> None:
    site = make_site(tmp_path / "site", {
        "2026/a.md": article(date="2026-01-05T10:00:00Z"),
        f"pages/{name}.md": "---\ntitle: Clash\n---\nText.\n"})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 1
    assert f"content/pages/{name}.md: slug: URL /{name}/ is " in result.err


def _build(site: Path) -> None:
    result = run_folio("build", "--site", site, "--jobs", "1", "--now", NOW, "--quiet")
    assert result.code == 0, result.err


def test_the_new_site_passes_check(started: Path, built: Path) -> None:
    result = run_folio("check", "--site", started, "--now", NOW)
    assert result.code == 0, result.err
    assert result.err == ""


def test_the_new_site_serves_home_and_about(started: Path, built: Path) -> None:
    with serving(started, "--now", NOW) as server:
        for path in ("/", "/about/"):
            assert server.get(path)[0] == 200, path
        assert b'<h1 class="headline">About</h1>' in server.get("/about/")[2]


def test_empty_folder_says_to_run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["build"], ["new", "A headline"]):
        result = run_folio(*command)
        assert result.code == 2
        assert "no folio.toml in . — run `folio init` to start a site" in result.err
    assert list(tmp_path.iterdir()) == []


def _new_story(site: Path, *extra: str) -> dict[str, object]:
    result = run_folio("new", "Storm closes port", "--site", site, "--now", NOW, *extra)
    assert result.code == 0, result.err
    path = site / "content" / "2026" / "storm-closes-port.md"
    assert result.out == f"Created {path}\n"
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert isinstance(meta, dict)
    return meta


def test_new_writes_where_imports_write_with_the_byline_given(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {})
    assert _new_story(site, "--byline", "Ana Ruiz")["byline"] == ["Ana Ruiz"]


def test_new_takes_default_byline_from_folio_toml_else_staff(tmp_path: Path) -> None:
    config = 'title = "T"\nbase_url = "https://e.x/"\ndefault_byline = "Metro Desk"\n'
    assert _new_story(make_site(tmp_path / "desk", {}, config))["byline"] == ["Metro Desk"]
    assert _new_story(make_site(tmp_path / "staff", {}))["byline"] == ["Staff"]


# Errors that teach --------------------------------------------------------------

TYPOS = """\
---
title: Storm closes port
byline: [Ana Ruiz]
date: 2026-01-05T10:00:00Z
sectoin: Sports
layout: post
excerpt: Imported archives carry keys like these.
---
Body.
"""


def test_a_key_like_a_misspelt_field_is_a_warning_naming_file_line_and_field(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path / "site", {"2026/storm.md": TYPOS})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 0, result.err
    assert result.err == ("Warning: content/2026/storm.md:5: sectoin: is not a field Folio "
                          "knows — did you mean `section`?\n")


def test_strict_makes_a_misspelt_field_an_error(tmp_path: Path) -> None:
    config = 'title = "T"\nbase_url = "https://e.x/"\nstrict = true\n'
    site = make_site(tmp_path / "site", {"2026/storm.md": TYPOS}, config)
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
    assert result.code == 1
    assert "content/2026/storm.md:5: sectoin: is not a field Folio knows — did you mean " \
           "`section`? (strict = true in folio.toml)" in result.err
    assert not (site / "output").exists()


def test_a_missing_field_names_its_likely_typo(tmp_path: Path) -> None:
    story = "---\ntittle: Storm\nbylines: [Ana Ruiz]\ndate: 2026-01-05T10:00:00Z\n---\nBody.\n"
    site = make_site(tmp_path / "site", {"storm.md": story})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 1
    assert "content/storm.md: title: is required — did you mean `tittle` on line 2?" in result.err
    assert "content/storm.md: byline: is required — did you mean `bylines` on line 3?" in (
        result.err)


@pytest.mark.parametrize(("front_matter", "line", "shown"), [
    ('title: "Storm closes port\nbyline: [Ana]\ndate: 2026-01-05\ntags: [a]\n', 2,
     'a quote opened on this line is never closed: title: "Storm closes port'),
    ("title: Storm\ntags: [a, b\nbyline: [Ana]\ndate: 2026-01-05\n", 3,
     "a [ opened on this line is never closed: tags: [a, b"),
])
def test_a_yaml_error_names_the_line_to_fix_and_shows_it(
    tmp_path: Path, front_matter: str, line: int, shown: str
) -> None:
    site = make_site(tmp_path / "site", {"storm.md": f"---\n{front_matter}---\nBody.\n"})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 1
    assert f"content/storm.md:{line}: front matter is not valid YAML: {shown}\n" in result.err


def test_check_finds_a_broken_body_link_without_writing_output(tmp_path: Path) -> None:
    body = "See [the vote](/2026/01/04/vote/) and [the port](../../05/storm/)."
    site = make_site(tmp_path / "site", {
        "storm.md": article(title="Storm", date="2026-01-05T10:00:00Z"),
        "follow.md": article(body, title="Follow-up", date="2026-01-06T10:00:00Z")})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[1:] == [
        "  content/follow.md: links to /2026/01/04/vote/, which is not a page or file of the site"]
    assert not (site / "output").exists()
