"""Incremental and parallel builds give exactly the bytes of a clean build."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.engine import write
from generator.engine.cache import (
    COMPILED_TEMPLATES,
    PAGES_FILE,
    PLAN_FILE,
    PLAN_PAGES,
    STORE_FILE,
    Store,
)
from generator.site.digests import digest
from generator.site.errors import FolioError

from conftest import NOW, article, run_folio, tree
from fixture_site import write_fixture_site

Edit = Callable[[Path], None]


def build(site: Path, *extra: str | Path) -> str:
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1", *extra)
    assert result.code == 0, result.err
    return result.out + result.err


def rendered(summary: str) -> int:
    match = re.search(r"(\d+) rendered", summary)
    assert match, summary
    return int(match.group(1))


def did_nothing(summary: str) -> bool:
    """Files written just before a build may change again unseen within one clock
    tick, so the build after reads those again; it still renders and writes nothing."""
    return bool(re.search(r"Nothing changed|: 0 rendered, 0 files written", summary))


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_fixture_site(root, 60)
    return root


def first_article(site: Path) -> Path:
    return sorted((site / "content").rglob("*.md"))[0]


def edit_body(site: Path) -> None:
    path = first_article(site)
    path.write_text(path.read_text(encoding="utf-8") + "\nA late paragraph.\n", encoding="utf-8")


def edit_front_matter(site: Path, old: str, new: str) -> None:
    path = first_article(site)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_dek(site: Path) -> None:
    """Shown on the article's cards in every list and feed, but moves no page."""
    edit_front_matter(site, "\nbyline:", "\ndek: A dek added late\nbyline:")


def edit_headline(site: Path) -> None:
    """Related links print headlines, so this can move other pages' contents."""
    edit_front_matter(site, "title: ", "title: Late ")


def add_correction(site: Path) -> None:
    """Listed on the corrections page: a page of its own moves."""
    edit_front_matter(site, "\nbyline:",
                      "\ncorrections:\n- date: '2026-11-20'\n  text: A late fix.\nbyline:")


def make_draft(site: Path) -> None:
    edit_front_matter(site, "\nbyline:", "\ndraft: true\nbyline:")


def feature(site: Path) -> None:
    """A featured story leads the home page and its section's front, whatever its date."""
    edit_front_matter(site, "\nbyline:", "\nfeatured: true\nbyline:")


def change_tag(site: Path) -> None:
    path = first_article(site)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tags:", "tags:\n- Breaking Late Tag", 1), encoding="utf-8")


def delete_article(site: Path) -> None:
    first_article(site).unlink()


def add_article(site: Path) -> None:
    (site / "content" / "late-breaking.md").write_text(
        article(title="Late Breaking", tags=["Syria", "A New Tag"], date="2024-12-31T23:00:00Z"),
        encoding="utf-8")


def add_page(site: Path) -> None:
    """A standalone page in the menu: the nav of every page moves."""
    (site / "content" / "pages").mkdir(exist_ok=True)
    (site / "content" / "pages" / "ethics.md").write_text(
        "---\ntitle: Ethics\nmenu: true\n---\nWe correct our mistakes.\n", encoding="utf-8")


def rename_article(site: Path) -> None:
    """Its slug comes from its file name: its URL moves."""
    path = next(p for p in sorted((site / "content").rglob("*.md"))
                if "\nslug:" not in p.read_text(encoding="utf-8"))
    path.rename(path.with_name("renamed-story.md"))


def change_date(site: Path) -> None:
    """Moves the story in every list and archive it is in, and its own URL."""
    path = first_article(site)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^date: .*$", "date: '2024-12-30T10:00:00+00:00'", text,
                           count=1, flags=re.MULTILINE), encoding="utf-8")


def replace_photo(site: Path) -> None:
    """Same name, other pixels: its resized copies must follow."""
    one, other = site / "content/images/court.png", site / "content/images/zürich-see.png"
    one_bytes = one.read_bytes()
    one.write_bytes(other.read_bytes())
    other.write_bytes(one_bytes)


def add_static_file(site: Path) -> None:
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "press-kit.txt").write_text("Contact the desk.\n", encoding="utf-8")


def edit_template(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "list.html").write_text(
        '{% extends "theme/list.html" %}{% block main %}<p>Edited</p>{{ super() }}{% endblock %}'
    )


def change_config(site: Path) -> None:
    config = site / "folio.toml"
    config.write_text(config.read_text().replace("per_page = 7", "per_page = 4"))


@pytest.mark.parametrize("edit", [edit_body, add_dek, edit_headline, add_correction,
                                  make_draft, feature, change_tag,
                                  delete_article, add_article, add_page, rename_article,
                                  change_date,
                                  replace_photo, add_static_file, edit_template,
                                  change_config])
def test_rebuild_after_a_change_equals_a_clean_build(site: Path, tmp_path: Path,
                                                     edit: Edit) -> None:
    total = rendered(build(site))
    before = tree(site / "output")
    assert "per_page = 7" in (site / "folio.toml").read_text()
    edit(site)
    summary = build(site)
    assert tree(site / "output") != before, "the edit changed nothing a reader sees"
    if edit in (edit_body, add_dek, edit_headline, change_tag):
        assert 0 < rendered(summary) < total / 2, summary
    assert_same_as_clean_build(site, tmp_path / "clean")


def assert_same_as_clean_build(site: Path, clean: Path) -> None:
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    build(clean)
    assert tree(site / "output") == tree(clean / "output")


def test_removing_a_template_override_equals_a_clean_build(site: Path, tmp_path: Path) -> None:
    """The theme's template, unused while the site overrode it, is used again."""
    edit_template(site)
    build(site)
    before = tree(site / "output")
    (site / "templates" / "list.html").unlink()
    build(site)
    assert tree(site / "output") != before
    assert_same_as_clean_build(site, tmp_path / "clean")


def test_a_failed_rebuild_is_reported_again_until_fixed(site: Path, tmp_path: Path) -> None:
    build(site)
    path = first_article(site)
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nSee [the missing page](/no/such/page/).\n", encoding="utf-8")
    for _ in range(2):
        result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
        assert result.code == 1 and "/no/such/page/" in result.err, result.err
    path.write_text(original, encoding="utf-8")
    build(site)
    assert_same_as_clean_build(site, tmp_path / "clean")


def test_a_build_with_no_change_writes_nothing(site: Path) -> None:
    build(site)
    before = inodes(site / "output")
    assert did_nothing(build(site))
    assert inodes(site / "output") == before
    assert "Nothing changed" in build(site)
    assert inodes(site / "output") == before


def test_the_site_named_another_way_is_the_same_site(site: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`folio build` in the site, `--site site` beside it, `--site /abs/path`, a
    link to the folder: one site, one cache. An editor's script and a terminal
    must not rebuild the whole archive for each other."""
    (site.parent / "link").symlink_to(site)
    total = rendered(build(site))
    before = inodes(site / "output")
    monkeypatch.chdir(site)
    assert did_nothing(build("."))
    monkeypatch.chdir(site.parent)
    for spelling in ("site", "./site/", "link", "site/../site"):
        assert did_nothing(build(spelling)), spelling
    assert did_nothing(build("link", "--output", "link/output"))
    edit_body(site)
    summary = build("link")
    assert 0 < rendered(summary) < total / 2, summary
    assert did_nothing(build(site))
    assert pages_only(inodes(site / "output")).keys() == pages_only(before).keys()


def rewrite_every_story_unchanged(site: Path) -> None:
    """What a fresh clone or a restored backup does: each Markdown file a new file
    (new inode, new time) holding the same bytes."""
    for path in (site / "content").rglob("*.md"):
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(path.read_bytes())
        temporary.replace(path)


@pytest.mark.parametrize("edits", [0, 1])
def test_stories_rewritten_with_the_same_bytes_are_not_parsed_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: int
) -> None:
    from generator.site import content

    total = rendered(build(site))
    rewrite_every_story_unchanged(site)
    if edits:
        edit_body(site)
    parsed: list[str] = []
    load_file = content._load_file

    def counted(path: Path, relative: str, *rest: object) -> content.FileOutcome:
        parsed.append(relative)
        return load_file(path, relative, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "_load_file", counted)
    summary = build(site)
    edited = first_article(site).relative_to(site / "content").as_posix()
    assert parsed == [edited] * edits
    assert rendered(summary) < total / 2, summary
    monkeypatch.undo()
    assert did_nothing(build(site)), "the store did not learn the files' new facts"
    assert_same_as_clean_build(site, tmp_path / "clean")


def test_the_cache_keeps_only_the_bodies_of_the_stories_as_they_are(site: Path,
                                                                    tmp_path: Path) -> None:
    """Each edit stores the story's new body; a full build drops the old ones, or a
    newsroom's cache would grow with every version of every story ever built."""
    build(site)
    first = stored_bodies(site)
    for _ in range(3):
        edit_body(site)
        build(site)
    assert len(stored_bodies(site)) == len(first) + 3
    add_article(site)
    build(site)
    now = stored_bodies(site)
    assert len(now) == len(first) + 1 and len(now - first) == 2
    edit_body(site)
    build(site)
    assert_same_as_clean_build(site, tmp_path / "clean")


def stored_bodies(site: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(site / ".folio-cache" / STORE_FILE)) as db:
        return {digest for (digest,) in db.execute("SELECT digest FROM body")}


def test_unchanged_pages_are_carried_over_not_rewritten(site: Path) -> None:
    build(site)
    before = pages_only(inodes(site / "output"))
    edit_body(site)
    build(site)
    after = pages_only(inodes(site / "output"))
    rewritten = [name for name in before if before[name] != after.get(name)]
    assert 0 < len(rewritten) < len(before) * 0.1, rewritten


def test_after_every_page_rendered_again_to_the_same_bytes_an_edit_touches_only_its_pages(
    site: Path, tmp_path: Path,
) -> None:
    """A template change that alters no byte (here a comment) renders every page again;
    the tree it leaves behind already holds every file, so the next edit must not link
    the whole tree again. Each folder a rebuild changes gets a new time."""
    build(site)
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text('{# a note #}{% extends "theme/base.html" %}')
    summary = build(site)
    assert rendered(summary) > 100 and ", 0 files written" in summary, summary
    older = folder_times(site / ".output.previous")
    edit_body(site)
    build(site)
    now = folder_times(site / "output")
    changed = [name for name in older if older[name] != now.get(name)]
    assert 0 < len(changed) < len(older) * 0.1, changed
    assert_same_as_clean_build(site, tmp_path / "clean")


def folder_times(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in root.rglob("*") if p.is_dir()}


def pages_only(files: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Without the search index, whose shard of an edited story is made again."""
    return {name: facts for name, facts in files.items() if not name.startswith("pagefind/")}


def test_search_index_is_kept_when_no_page_changed(site: Path) -> None:
    build(site)
    before = inodes(site / "output")
    (site / "static").mkdir()
    (site / "static" / "extra.css").write_text("p { color: black; }\n")
    build(site)
    after = inodes(site / "output")
    search = [name for name in before if name.startswith("pagefind/")]
    assert search and all(before[name] == after[name] for name in search)
    assert "extra.css" in after


def test_jobs_do_not_change_the_output(site: Path, tmp_path: Path) -> None:
    build(site, "--output", tmp_path / "one", "--clean")
    # The command in a process of its own, as users run it. This test process may run
    # other tests' server threads, and while threads run, workers are started by
    # forkserver, not forked, and hand their pages back through the pipe instead of
    # shared memory.
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
               "--jobs", "2", "--clean", "--output", str(tmp_path / "two")]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


@pytest.mark.parametrize("edit", [edit_template, change_config])
def test_a_rebuild_with_two_jobs_equals_a_clean_build(site: Path, tmp_path: Path,
                                                     edit: Edit) -> None:
    """Workers read the articles from the store, those loaded by an earlier build too."""
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
               "--jobs", "2"]  # in a process of its own, so workers are forked

    def build_with_two_jobs() -> str:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              cwd=Path(__file__).resolve().parent.parent)
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    build_with_two_jobs()
    edit(site)
    assert rendered(build_with_two_jobs()) >= 32, "too few pages to send to workers"
    assert_same_as_clean_build(site, tmp_path / "clean")


def test_clean_ignores_the_cache(site: Path) -> None:
    total = rendered(build(site))
    assert rendered(build(site, "--clean")) == total


def test_a_rebuild_after_a_clean_build_removes_the_pages_no_longer_made(site: Path) -> None:
    """The tree a --clean build leaves behind (the output before it) is unknown, not empty."""
    build(site)
    build(site, "--clean")
    next(iter(sorted((site / "content").rglob("*.md")))).unlink()
    build(site)
    rebuilt = tree(site / "output")
    build(site, "--clean")
    assert rebuilt == tree(site / "output")


@pytest.mark.parametrize("damage", [b"", b"not a cache at all", b"\x80\x05garbage"])
@pytest.mark.parametrize("name", [STORE_FILE, PAGES_FILE, PLAN_FILE, PLAN_PAGES])
def test_a_damaged_cache_is_discarded_with_a_notice(
    site: Path, tmp_path: Path, name: str, damage: bytes
) -> None:
    build(site)
    edit_body(site)
    (site / ".folio-cache" / name).write_bytes(damage or b"\0" * 4096)
    summary = build(site)
    assert summary.count(f"Notice: build cache {name}") == 1, summary
    assert_same_as_clean_build(site, tmp_path / "clean")


def test_a_cache_from_another_version_is_discarded(site: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.engine import cache

    build(site)
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    edit_body(site)
    assert "was made by another version of Folio" in build(site)


def test_a_store_of_another_cache_format_is_deleted_not_opened(site: Path) -> None:
    """Another Folio's store has other tables: an older one (store.sqlite) or a newer
    one would only take space; and this store is never one another Folio opens."""
    cache = site / ".folio-cache"
    cache.mkdir()
    for name in ("store.sqlite", "store.sqlite-journal", "store-99.sqlite"):
        (cache / name).write_bytes(b"SQLite format 3\0 of another Folio")
    build(site)
    assert sorted(p.name for p in cache.glob("store*")) == [STORE_FILE]
    assert did_nothing(build(site))


def test_templates_compiled_by_another_toolchain_are_deleted(site: Path) -> None:
    build(site)
    compiled = site / ".folio-cache" / COMPILED_TEMPLATES
    current = sorted(p.name for p in compiled.iterdir())
    assert current
    (compiled / "0123456789abcdef-0a1b2c.cache").write_bytes(b"from an older Folio")
    edit_template(site)
    build(site)
    assert "0123456789abcdef-0a1b2c.cache" not in {p.name for p in compiled.iterdir()}
    assert set(current) < {p.name for p in compiled.iterdir()}


def test_an_upgraded_library_makes_the_cache_untrusted(site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`pip install -U markdown-it-py` may render the same Markdown differently:
    nothing the older version made (bodies, pages, compiled templates) is kept."""
    packages = tmp_path / "site-packages"
    (packages / "markdown_it_py_plugin_x-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(packages))
    total = rendered(build(site))
    loaded_before = cached_times(site)
    assert did_nothing(build(site))
    (packages / "markdown_it_py_plugin_x-1.0.dist-info").rename(
        packages / "markdown_it_py_plugin_x-1.1.dist-info")
    summary = build(site)
    assert "was made by another version of Folio, Python or a library" in summary
    assert rendered(summary) == total
    loaded_after = cached_times(site)
    assert loaded_after.keys() == loaded_before.keys()
    assert all(loaded_after[path] > loaded_before[path] for path in loaded_before), \
        "some articles were taken from the store, not parsed again"


def cached_times(site: Path) -> dict[str, int]:
    """When the build cache's store last loaded each Markdown file."""
    store = Store(site / ".folio-cache" / STORE_FILE)
    try:
        return {path: row.cached_ns for path, row in store.sources().items()}
    finally:
        store.close()


def test_an_article_that_becomes_due_appears_without_any_edit(site: Path) -> None:
    later = site / "content" / "scheduled.md"
    later.write_text(article(title="Scheduled", date="2026-11-28T09:00:00+00:00"))
    build(site)
    assert not (site / "output" / "2026" / "11" / "28").exists()
    result = run_folio("build", "--site", site, "--now", "2026-11-28T10:00:00+00:00")
    assert result.code == 0, result.err
    assert (site / "output" / "2026" / "11" / "28" / "scheduled" / "index.html").is_file()


def test_a_damaged_row_of_the_store_is_discarded_with_a_notice(site: Path,
                                                              tmp_path: Path) -> None:
    import sqlite3

    build(site)
    with sqlite3.connect(site / ".folio-cache" / STORE_FILE) as db:
        db.execute("UPDATE source SET known = X'8005deadbeef', loaded = X'8005deadbeef'")
    change_config(site)
    summary = build(site)
    assert summary.count(f"Notice: build cache {STORE_FILE} is damaged") == 1, summary
    assert_same_as_clean_build(site, tmp_path / "clean")
    assert "Notice" not in build(site, "--clean")


def test_reading_the_store_in_one_transaction_leaves_it_free_for_writers(
    tmp_path: Path,
) -> None:
    """Rendering reads bodies inside one read transaction (Store.reading). It must end
    with the block, even a failed one: a process that held it (serve, between two
    rebuilds) would lock every other build out of the store."""
    path = tmp_path / STORE_FILE
    store = Store(path)
    body = "<p>A body.</p>"
    store.add([(digest(body), body)])
    with store.reading():
        assert store.read(digest(body)) == body
    with pytest.raises(FolioError, match="is damaged"), store.reading():
        store.read(digest("<p>Never stored.</p>"))
    with contextlib.closing(sqlite3.connect(path, timeout=0)) as other, other:
        other.execute("DELETE FROM body")
    with store.reading():
        assert store.known() == set()
    store.close()


def test_the_older_tree_gives_way_where_files_and_folders_trade_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of the older tree where a file is wanted now, and a file where a
    folder is; with the staging tree forgetting which folders it made as it goes."""
    monkeypatch.setattr(write, "_FOLDERS_REMEMBERED", 2)
    output = tmp_path / "output"
    output.mkdir()
    older = write.previous_tree(output)
    (older / "moved").mkdir(parents=True)
    (older / "moved" / "index.html").write_text("a page once")
    (older / "notes").write_text("a file once")
    staging = write.Staging(output, {"moved/index.html": "old", "notes": "old"}, {})
    staging.put("moved", b"a file now", "new")
    staging.put("notes/index.html", b"a page now", "new")
    for day in range(5):
        staging.put(f"2024/01/{day:02d}/story/index.html", b"story", "new")
    staging.commit()
    assert tree(output) == {
        "moved": b"a file now",
        "notes/index.html": b"a page now",
        **{f"2024/01/{day:02d}/story/index.html": b"story" for day in range(5)},
    }


@pytest.mark.parametrize("name", ["../escaped.html", "a/../../escaped.html", "/escaped.html"])
def test_the_staging_tree_refuses_a_name_outside_it(tmp_path: Path, name: str) -> None:
    staging = write.Staging(tmp_path / "output", None, {})
    with pytest.raises(FolioError, match="outside the output folder"):
        staging.put(name, b"nope", "key")
    assert not list(tmp_path.rglob("escaped.html"))


@pytest.mark.parametrize("edit", [edit_body, add_dek])
def test_an_edit_that_moves_no_page_is_rebuilt_without_planning_the_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Edit
) -> None:
    """The quick path reads the pages showing the story back from the last plan
    (plan-pages.msgpack); loading and planning the whole site again is what it skips."""
    from generator.engine import pipeline

    build(site)
    edit(site)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole site was planned again")

    monkeypatch.setattr(pipeline, "plan_site", refuse)
    assert 0 < rendered(build(site)) < 20
    monkeypatch.undo()
    assert_same_as_clean_build(site, tmp_path / "clean")
