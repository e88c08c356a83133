"""What every `folio import` promises: no overwrites, idempotence, dry runs, failures alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, article, run_folio
from importing import (
    FIXTURES,
    built_articles,
    content_tree,
    folio_import,
    fresh_site,
    read_story,
    stories,
    summary,
)

# format, fixture folder, stories imported, inputs skipped
CASES = [
    ("text", "text", 3, 0),
    ("feed", "feed", 5, 1),
    ("wordpress", "wordpress", 5, 2),
    ("jekyll", "jekyll", 4, 0),  # at the site's root: _posts/ only
    ("hugo", "hugo-yaml", 3, 2),
    ("hugo", "hugo-toml", 2, 1),
    ("pelican", "pelican", 3, 1),
    ("eleventy", "eleventy", 2, 1),
]
# A broken input for each format: where it goes in a copy of the fixture folder, and its bytes.
BROKEN = {
    "text": ("mangled.txt", b"Headline\n\nby Someone\nSep 18 2015\n\n\xff\xfe body"),
    "feed": ("broken.rss", b"<html><body><p>This page is not a feed.</p></body></html>"),
    "wordpress": ("broken.xml", b'<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'),
    "jekyll": ("_posts/2015-01-01-broken.md", b"---\ntitle: [unclosed\n---\nBody.\n"),
    "hugo": ("content/posts/broken.md", b"+++\ntitle = \n+++\nBody.\n"),
    "pelican": ("content/broken.md", b"Title: Broken\nDate: the day before yesterday\n\nBody.\n"),
    "eleventy": ("posts/broken.md", b"---\ntitle: Broken\ndate: 2015-13-45\n---\nBody.\n"),
}
IDS = [folder for _, folder, _, _ in CASES]


def _failures(kind: str) -> int:
    return 1 if kind == "text" else 0  # text/notes.txt has no dateline, on purpose


@pytest.mark.parametrize(("kind", "folder", "imported", "skipped"), CASES, ids=IDS)
def test_import_builds_every_story(
    tmp_path: Path, kind: str, folder: str, imported: int, skipped: int
) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, kind, FIXTURES / folder)
    assert summary(result) == (
        f"{imported} imported, 0 unchanged, {skipped} skipped, {_failures(kind)} failed."
    ), result.out
    assert result.code == _failures(kind)
    assert len(stories(site)) == imported
    assert built_articles(site) == imported


@pytest.mark.parametrize(("kind", "folder", "imported", "skipped"), CASES, ids=IDS)
def test_reimport_is_a_no_op(
    tmp_path: Path, kind: str, folder: str, imported: int, skipped: int
) -> None:
    site = fresh_site(tmp_path / "site")
    folio_import(site, kind, FIXTURES / folder)
    before = content_tree(site)
    again = folio_import(site, kind, FIXTURES / folder)
    assert summary(again) == (
        f"0 imported, {imported} unchanged, {skipped} skipped, {_failures(kind)} failed."
    ), again.out
    assert content_tree(site) == before


@pytest.mark.parametrize(("kind", "folder", "imported", "skipped"), CASES, ids=IDS)
def test_dry_run_writes_nothing(
    tmp_path: Path, kind: str, folder: str, imported: int, skipped: int
) -> None:
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, kind, FIXTURES / folder, "--dry-run")
    assert content_tree(site) == {}
    assert f"Dry run, nothing written: {imported} to import" in result.out
    assert result.out.count("would write") == imported


@pytest.mark.parametrize(("kind", "folder", "imported", "skipped"), CASES, ids=IDS)
def test_a_broken_input_fails_alone(
    tmp_path: Path, kind: str, folder: str, imported: int, skipped: int
) -> None:
    source = tmp_path / folder
    shutil.copytree(FIXTURES / folder, source)
    name, data = BROKEN[kind]
    (source / name).write_bytes(data)
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, kind, source)
    assert result.code == 1
    failed = [line for line in result.out.splitlines() if line.startswith("failed")]
    assert any(str(source / name) in line for line in failed), result.out
    assert len(stories(site)) == imported
    assert built_articles(site) == imported


def test_a_different_file_in_the_way_is_never_overwritten(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    seed = REPO / "tests" / "fixtures" / "seed-000_9b3f2ec0a0e2ae96.txt"
    folio_import(site, "text", seed)
    target = site / "content" / "2015" / "russian-weapons-keep-rolling-towards-syria.md"
    edited = target.read_text(encoding="utf-8").replace("Reuters", "Reuters staff", 1)
    target.write_text(edited, encoding="utf-8")

    skip = folio_import(site, "text", seed, "--on-conflict", "skip")
    assert skip.code == 0
    assert "skipped" in skip.out and "already used by content/2015/russian-weapons" in skip.out
    assert summary(skip) == "0 imported, 0 unchanged, 1 skipped, 0 failed."
    assert target.read_text(encoding="utf-8") == edited

    suffix = folio_import(site, "text", seed)
    second = target.with_name("russian-weapons-keep-rolling-towards-syria-2.md")
    assert "imported    content/2015/russian-weapons-keep-rolling-towards-syria-2.md" in suffix.out
    assert target.read_text(encoding="utf-8") == edited
    assert read_story(second)[0]["byline"] == ["Reuters", "VICE News"]
    assert folio_import(site, "text", seed).out.startswith("unchanged   content/2015/russian")
    assert built_articles(site) == 2


def test_a_slug_taken_anywhere_in_content_gets_a_suffix(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    (site / "content" / "older").mkdir()
    (site / "content" / "older" / "harbour-reopens-after-storm.md").write_text(
        article(title="An older story with the same slug"), encoding="utf-8"
    )
    result = folio_import(site, "feed", FIXTURES / "feed" / "gazette.rss")
    assert "content/2015/harbour-reopens-after-storm-2.md" in result.out
    assert built_articles(site) == 4


def test_two_stories_with_one_slug_in_one_run(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    (tmp_path / "a.txt").write_text("Same Headline\n\nby A\nSep 1 2015\n\nOne.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Same Headline\n\nby B\nSep 2 2015\n\nTwo.\n", "utf-8")
    result = folio_import(site, "text", tmp_path / "a.txt", tmp_path / "b.txt")
    assert set(stories(site)) == {"2015/same-headline.md", "2015/same-headline-2.md"}
    assert summary(result) == "2 imported, 0 unchanged, 0 skipped, 0 failed."
    skipping = fresh_site(tmp_path / "other")
    result = folio_import(
        skipping, "text", tmp_path / "a.txt", tmp_path / "b.txt", "--on-conflict", "skip"
    )
    assert summary(result) == "1 imported, 0 unchanged, 1 skipped, 0 failed."


def test_into_another_folder(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    into = site / "content" / "imported"
    folio_import(site, "feed", FIXTURES / "feed" / "newsroom.atom", "--into", into)
    assert sorted(p.name for p in (into / "2015").iterdir()) == [
        "ceasefire-talks-resume.md", "corrections-policy.md"
    ]


def test_a_missing_source_fails_and_the_rest_imports(tmp_path: Path) -> None:
    site = fresh_site(tmp_path / "site")
    atom = FIXTURES / "feed" / "newsroom.atom"
    result = folio_import(site, "feed", tmp_path / "nowhere.rss", atom)
    assert result.code == 1
    assert "nowhere.rss: does not exist" in result.out
    assert len(stories(site)) == 2


@pytest.mark.parametrize("args", [
    ["import", "docx", "story.docx"],
    ["import", "text", "story.txt", "--map", "deck=dek"],
    ["import", "jekyll", "folder", "--map", "nofield"],
    ["import", "feed", "feed.xml", "--pages"],
    ["import", "text", "story.txt", "--on-conflict", "overwrite"],
    ["import", "text"],
])
def test_usage_errors(tmp_path: Path, args: list[str]) -> None:
    site = fresh_site(tmp_path / "site")
    assert run_folio(*args, "--site", site).code == 2


def test_help() -> None:
    result = run_folio("import", "--help")
    assert result.code == 0
    assert "--on-conflict" in result.out and "--dry-run" in result.out
