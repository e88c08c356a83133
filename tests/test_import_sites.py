"""`folio import hugo|jekyll|eleventy SITE_ROOT`: the old site's configuration is read,
its posts found in its content folders, and every post's old URL keeps working."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import build
from importing import FIXTURES, by_title, folio_import, fresh_site, summary


def resolves(site: Path, path: str) -> bool:
    """The built site answers `path`: the story itself or a redirect to it."""
    return (site / "output" / path.strip("/") / "index.html").is_file()


def built(site: Path) -> Path:
    result = build(site, "--drafts")
    assert result.code == 0, result.err
    return site


def test_a_multilingual_hugo_site_keeps_every_old_url(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", FIXTURES / "hugo-site")
    assert result.code == 0, result.out
    # Only content/en and content/fr are read: not archetypes/, whose date is a template.
    assert summary(result) == "5 imported, 0 unchanged, 1 skipped, 0 failed."
    assert "archetypes" not in result.out
    built(site)
    # One host per language, so no /en or /fr; Hugo's own sanitizing of file names.
    for old in [
        "/2020/06/01/empower-to-protect-recalls-safety-alerts/",
        "/2019/01/03/unleash-talent/",
        "/custom/own-url/",
        "/2021/03/12/apprendre-à-rendre-le-contenu/",
        "/2022/08/31/bouchées-de-sécurité-au-snc/",
    ]:
        assert resolves(site, old), old


def test_hugo_site_settings_go_into_folio_toml_without_overwriting(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    toml = site / "folio.toml"
    before = toml.read_text("utf-8")
    result = folio_import(site, "hugo", FIXTURES / "hugo-site", "--dry-run")
    assert 'folio.toml: would add permalink = "/{year}/{month}/{day}/{slug}/"' in result.out
    assert toml.read_text("utf-8") == before, "a dry run writes nothing"
    result = folio_import(site, "hugo", FIXTURES / "hugo-site")
    assert 'folio.toml: added language = "en"' in result.out
    assert ('folio.toml: kept title = "Test Gazette"; the old site says "Blog" '
            "(--force to take it)") in result.out
    after = toml.read_text("utf-8")
    assert after.startswith(before.rstrip("\n"))
    assert 'language = "en"\npermalink = "/{year}/{month}/{day}/{slug}/"\n' in after
    forced = folio_import(site, "hugo", FIXTURES / "hugo-site", "--force")
    assert 'folio.toml: replaced title with title = "Blog" (--force)' in forced.out
    assert 'title = "Blog"\n' in toml.read_text("utf-8")
    built(site)


def test_a_hugo_site_without_permalinks_keeps_its_paths(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", FIXTURES / "hugo-paths")
    # content/authors/lkim/_index.md is Hugo's author page: a name, not a story.
    assert summary(result) == "3 imported, 0 unchanged, 1 skipped, 0 failed.", result.out
    found = by_title(site)
    first = found["The first story"]
    assert first["byline"] == ["Lee Kim"], "the slug named by content/authors/lkim/"
    assert (site / "content" / "authors" / "lee-kim.md").read_text("utf-8") == \
        "---\nname: Lee Kim\n---\n\nReporter.\n", "the author page's text is the biography"
    assert first["tags"] == ["Budget", "Elections", "Budget 2016"], "every taxonomy is tags"
    # baseURL's path /news/ comes first; `slug` replaces the file name; a bundle is its folder.
    assert "/news/posts/first-story/" in found["The first story"]["aliases"]
    assert "/news/posts/bundle/" in found["A bundle"]["aliases"]
    assert "/news/reports/2016/annual-report/" in found["Annual report"]["aliases"]
    built(site)
    assert resolves(site, "/news/reports/2016/annual-report/")


def test_an_eleventy_site_reads_its_directory_data_permalink(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "eleventy", FIXTURES / "eleventy-site")
    assert summary(result) == "4 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    assert ("old URL not computed: the permalink '/{{ page.date | fancyDate }}/odd/' uses "
            "{{ page.date | fancyDate }}, which only Eleventy can work out") in result.out
    found = by_title(site)
    assert found["Its own permalink"]["aliases"] == ["/own/page/"]
    built(site)
    for old in ["/2015/03/17/hello-world/", "/2016/01/02/deep/", "/own/page/"]:
        assert resolves(site, old), old


def test_a_jekyll_site_computes_its_date_permalinks(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "jekyll", FIXTURES / "jekyll")
    found = by_title(site)
    # The default style: /:categories/:year/:month/:day/:title.html, categories slugified.
    assert found["A File Name Without Leading Zeros"]["aliases"] == [
        "/world/2015/09/08/unpadded-file-name.html"
    ]
    assert "/news/politics/2015/09/18/liquid-and-redirects.html" in \
        found["Liquid Tags Become Markdown"]["aliases"]
    # A permalink in front matter is the old URL: nothing to compute.
    assert found["A Post With Its Own Permalink"]["aliases"] == ["/2016/old-style-url.html"]
    assert "old URL not computed" not in result.out


def test_a_broken_site_configuration_is_one_clear_failure(tmp_path: Path) -> None:
    source = tmp_path / "old"
    (source / "content" / "posts").mkdir(parents=True)
    (source / "hugo.toml").write_text('title = "unclosed\n', "utf-8")
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", source)
    assert result.code == 1
    assert "hugo.toml: cannot be read as TOML" in result.out
    assert "Traceback" not in result.out + result.err


def test_the_report_is_written_as_json(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "eleventy", FIXTURES / "eleventy-site", "--report",
                          tmp_path / "report.json")
    assert f"The report as JSON: {tmp_path / 'report.json'}" in result.out
    report = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert report["counts"] == {"imported": 4, "unchanged": 0, "skipped": 0, "failed": 0}
    assert [entry["source"].rsplit("/", 1)[-1] for entry in report["old_urls_not_computed"]] \
        == ["2016-06-06-unknown-filter.md"]
    assert len(report["outcomes"]) == 4 and report["dry_run"] is False
    assert {outcome["status"] for outcome in report["outcomes"]} == {"imported"}
    # Without --report, beside folio.toml.
    folio_import(site, "eleventy", FIXTURES / "eleventy-site", "--dry-run")
    again = json.loads((site / "import-report.json").read_text("utf-8"))
    assert again["dry_run"] is True and again["counts"]["unchanged"] == 4


def test_hugo_translations_by_file_name_are_linked(tmp_path: Path) -> None:
    """Languages sharing one content folder: Hugo reads `post.fr.md` as French, pairs it
    with `post.md`, and serves the French one under /fr/."""
    old = tmp_path / "old"
    (old / "content" / "posts").mkdir(parents=True)
    (old / "hugo.toml").write_text(
        'baseURL = "https://old.example.org/"\ndefaultContentLanguage = "en"\n'
        "[languages.fr]\nweight = 2\n[languages.en]\nweight = 1\n", encoding="utf-8")
    posts = old / "content" / "posts"
    (posts / "_index.fr.md").write_text("---\ntitle: Billets\n---\n", encoding="utf-8")
    (posts / "hello.md").write_text(
        "---\ntitle: Hello\nauthor: Ann Lee\ndate: 2020-05-01T09:00:00-04:00\n---\nHi.\n",
        encoding="utf-8")
    (posts / "hello.fr.md").write_text(
        "---\ntitle: Bonjour\nauthor: Ann Lee\ndate: 2020-05-01T09:00:00-04:00\n---\nSalut.\n",
        encoding="utf-8")
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", old)
    assert summary(result) == "2 imported, 0 unchanged, 1 skipped, 0 failed.", result.out
    built(site)
    assert resolves(site, "/posts/hello/") and resolves(site, "/fr/posts/hello/")
    written = (site / "content" / "2020" / "hello.fr.md").read_text(encoding="utf-8")
    assert "\nslug:" not in written, "the file name says the slug, less its language"
    french = site / "output" / "fr" / "2020" / "05" / "01" / "hello" / "index.html"
    page = french.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert 'hreflang="en" href="https://gazette.example.org/2020/05/01/hello/"' in page
