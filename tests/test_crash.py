"""Crash safety: a build killed at any moment leaves the previous output/ whole and usable.

`test_rebuilds_without_a_kill_equal_a_clean_build` and
`test_a_rebuild_after_removing_a_story_succeeds` are the baseline: the same kinds of
edits (a paragraph, a headline, a story added, a story removed), every build let finish.

`test_killed_builds_leave_the_last_good_output` builds the fixture site, then 20
times: edits the site (so a rebuild does real work), starts `folio build` in a child
process, sends it SIGKILL at a random moment of a build's duration (measured first),
and checks that output/ is byte for byte what the last successful build wrote, that
no half-updated tree is in its place, and that the internal links of a few pages
still resolve. The next build must then succeed, and what it writes must be exactly
what a clean build of the same input writes (checked on the way and at the end).

`test_a_truncated_cache_is_never_trusted` cuts each cache file at random points:
the build must say it discarded the cache and write what a clean build writes.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.engine.cache import PAGES_FILE, PLAN_FILE, PLAN_PAGES, STORE_FILE

from conftest import NOW, REPO, Result, run_folio, tree
from fixture_site import write_fixture_site
from sitewalk import Site

SEED = 20150918
KILLS = 20
ARTICLES = 150
CHECK_CLEAN_AT = {6, 13}
"""Rounds after which the output is also compared with a clean build (and at the end)."""
MARKER = ".folio-updating"
CACHE_FILES = (STORE_FILE, PAGES_FILE, PLAN_FILE, PLAN_PAGES)


def command(site: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--site", str(site), "--jobs", "1",
            "--now", NOW, "--quiet"]


def build_in_process(site: Path, *extra: str) -> Result:
    result = run_folio("build", "--site", site, "--jobs", "1", "--now", NOW, "--quiet", *extra)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err, result.err
    return result


def clean_build(site: Path, scratch: Path) -> dict[str, bytes]:
    """What a build from nothing writes for the site's current input."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shutil.copy2(site / "folio.toml", scratch / "folio.toml")
    shutil.copytree(site / "content", scratch / "content", symlinks=True)
    build_in_process(scratch)
    return tree(scratch / "output")


# --- Edits between builds ---------------------------------------------------------------------


class Editor:
    """Changes that keep the site valid and make a rebuild render and index pages."""

    def __init__(self, site: Path, rng: random.Random) -> None:
        self.site, self.rng = site, rng
        self.articles = sorted((site / "content").rglob("*.md"))
        self.added: list[Path] = []

    def edit(self, round_: int) -> str:
        kind = ("body", "title", "add", "remove")[round_ % 4]
        if kind == "remove" and not self.added:
            kind = "body"
        if kind == "body":
            path = self.rng.choice(self.articles)
            with path.open("a", encoding="utf-8") as file:
                file.write(f"\nA paragraph added in round {round_}.\n")
        elif kind == "title":
            path = self.rng.choice(self.articles)
            text = path.read_text("utf-8")
            path.write_text(re.sub(r"(?m)^title: (.*)$", rf"title: \1 rev {round_}", text, count=1),
                            "utf-8")
        elif kind == "add":
            path = self.site / "content" / "crash" / f"late-story-{round_}.md"
            path.parent.mkdir(exist_ok=True)
            day = self.rng.randrange(1, 28)
            path.write_text(
                f"---\ntitle: Late Story {round_}\nbyline: [Jane Reporter]\n"
                f"date: 2024-06-{day:02d}T10:{round_:02d}:00-04:00\ntags: [Syria, Crash Test]\n"
                f"---\nThe body of late story {round_}.\n", "utf-8")
            self.added.append(path)
        else:
            self.added.pop(0).unlink()
        return kind


# --- Checks -----------------------------------------------------------------------------------


def assert_links_resolve(output: Path, rng: random.Random) -> None:
    """Every internal link and asset of a few pages (home, archive, random others) exists."""
    site = Site(output)
    pages = list(site.pages())
    for url in ["/", "/archive/", *rng.sample(pages, 4)]:
        for target in site.internal_links(url):
            assert site.exists(target), f"{url} links to {target}, which output/ lacks"


def kill_at_random(site: Path, delay: float) -> tuple[bool, Result]:
    """Run a build, SIGKILL it after `delay` s; whether it was killed, and what it said."""
    child = subprocess.Popen(command(site), cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=120)
    return killed, Result(child.returncode, out.decode(errors="replace"),
                          err.decode(errors="replace"))


def test_rebuilds_without_a_kill_equal_a_clean_build(tmp_path: Path) -> None:
    """The baseline the kills are measured against: edits, every build let finish."""
    site = tmp_path / "site"
    write_fixture_site(site, 30)
    editor = Editor(site, random.Random(SEED))
    build_in_process(site)
    for round_ in (1, 4, 5, 8, 9):  # title, body, title, body, title: no story removed
        kind = editor.edit(round_)
        build_in_process(site)
        temporary = [name for name in tree(site / "output") if name.endswith(".folio-new")]
        assert not temporary, f"round {round_} ({kind}) left temporary files: {temporary[:3]}"
    assert tree(site / "output") == clean_build(site, tmp_path / "clean")


def test_a_rebuild_after_removing_a_story_succeeds(tmp_path: Path) -> None:
    """The kills' edits remove stories too: that alone must not break a rebuild."""
    site = tmp_path / "site"
    write_fixture_site(site, 30)
    editor = Editor(site, random.Random(SEED))
    build_in_process(site)
    assert editor.edit(2) == "add"
    build_in_process(site)
    assert editor.edit(3) == "remove"
    build_in_process(site)
    assert tree(site / "output") == clean_build(site, tmp_path / "clean")


def test_reverting_an_edit_gives_the_search_index_of_the_reverted_site(tmp_path: Path) -> None:
    """A -> B -> A: the older tree already holds A's pages, but not A's search index."""
    site = tmp_path / "site"
    write_fixture_site(site, 30)
    story = sorted((site / "content").rglob("*.md"))[0]
    before = story.read_text("utf-8")
    build_in_process(site)
    story.write_text(before + "\nA late paragraph about zeppelins.\n", "utf-8")
    build_in_process(site)
    story.write_text(before, "utf-8")
    build_in_process(site)
    assert tree(site / "output") == clean_build(site, tmp_path / "clean")


def test_killed_builds_leave_the_last_good_output(tmp_path: Path) -> None:
    started = time.monotonic()
    site, scratch = tmp_path / "site", tmp_path / "clean"
    write_fixture_site(site, ARTICLES)
    rng = random.Random(SEED)
    editor = Editor(site, rng)
    build_in_process(site)
    # The duration of one rebuild after an edit, as the child process runs it.
    editor.edit(0)
    measured = time.monotonic()
    subprocess.run(command(site), cwd=REPO, check=True, capture_output=True)
    window = time.monotonic() - measured
    last_good = tree(site / "output")

    killed = swapped = 0
    for round_ in range(1, KILLS + 1):
        kind = editor.edit(round_)
        was_killed, result = kill_at_random(site, rng.uniform(0.0, window))
        after = tree(site / "output")
        assert "Traceback" not in result.err, result.err
        assert MARKER not in after, f"round {round_} ({kind}): a half-updated tree is in place"
        if not was_killed:
            assert result.code == 0, f"round {round_} ({kind}): exit {result.code}\n{result.err}"
        killed += was_killed
        assert_links_resolve(site / "output", rng)

        build_in_process(site)
        if was_killed and after != last_good:
            # Killed after its swap: what it left must be the whole new site.
            swapped += 1
            assert after == tree(site / "output"), (
                f"round {round_} ({kind}): a killed build left an output/ that is neither "
                "the last good one nor the complete new one")
        last_good = tree(site / "output")
        if round_ in CHECK_CLEAN_AT:
            assert last_good == clean_build(site, scratch), (
                f"round {round_} ({kind}): the build after a killed one differs from a clean one")

    print(f"{KILLS} rounds: {killed} builds killed ({swapped} after their swap), "
          f"window {window:.2f} s, {time.monotonic() - started:.0f} s in all")
    assert last_good == clean_build(site, scratch), "the final output differs from a clean build"
    assert killed - swapped >= KILLS // 2, (
        f"only {killed - swapped} of {KILLS} builds were killed before their swap")
    assert time.monotonic() - started < 240


# --- A damaged cache ---------------------------------------------------------------------------


@pytest.fixture
def cached_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_fixture_site(site, 60)
    return site


def newest_article(site: Path) -> Path:
    """The story dated last, which every feed shows (so its rebuild reads cached bodies)."""
    def when(path: Path) -> str:
        match = re.search(r"(?m)^date: '?(\d{4}-\d\d-\d\d)", path.read_text("utf-8"))
        return match.group(1) if match else ""
    return max(sorted((site / "content").rglob("*.md")), key=when)


def test_a_truncated_cache_is_never_trusted(cached_site: Path, tmp_path: Path) -> None:
    """Each cache file cut at its very end, and twice at a random point, before a rebuild."""
    site, rng = cached_site, random.Random(SEED)
    story = newest_article(site)
    original = story.read_text("utf-8")
    build_in_process(site)
    rounds = [(name, where) for name in CACHE_FILES for where in ("end", "anywhere", "anywhere")]
    for round_, (name, where) in enumerate(rounds):
        # A new version of the story every time, which every feed shows.
        story.write_text(f"{original}\nA paragraph of round {round_}.\n", "utf-8")
        expected = clean_build(site, tmp_path / "clean")
        cache = site / ".folio-cache" / name
        size = cache.stat().st_size
        cut = size - rng.randrange(1, 64) if where == "end" else rng.randrange(1, size)
        with cache.open("r+b") as file:
            file.truncate(cut)
        result = run_folio("build", "--site", site, "--jobs", "1", "--now", NOW, "--quiet")
        what = f"{name} cut to {cut} of {size} bytes"
        assert result.code == 0, f"{what}: exit {result.code}\n{result.err}"
        assert f"Notice: build cache {name}" in result.err, f"{what}: no notice\n{result.err}"
        assert tree(site / "output") == expected, f"{what}: the output differs from a clean build"
        assert not (site / "output" / MARKER).exists()
