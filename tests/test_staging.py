"""The two-tree swap: output/ and the tree one build older, over three builds and more.

Each build's staging is driven as the pipeline drives it: `holds` is what the
older tree held (None when not known), `current` what output/ holds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.engine.write import Staging, check_output_dir, previous_tree
from generator.site.errors import FolioError

from conftest import NOW, article, make_site, run_folio, tree

SiteFactory = Callable[..., Path]
MARKER = ".folio-updating"


def inode(path: Path) -> int:
    return path.stat().st_ino


def first_build(output: Path, files: dict[str, bytes]) -> dict[str, str]:
    staging = Staging(output, None, {})
    for name, data in files.items():
        staging.put(name, data, key_of(data))
    staging.commit()
    assert staging.written == len(files)
    return staging.wanted


def key_of(data: bytes) -> str:
    return "key:" + data.decode()


def test_a_first_build_writes_every_file_and_swaps_the_tree_in(tmp_path: Path) -> None:
    output = tmp_path / "output"
    wanted = first_build(output, {"index.html": b"home", "tags/oil/index.html": b"oil"})
    assert wanted == {"index.html": "key:home", "tags/oil/index.html": "key:oil"}
    assert tree(output) == {"index.html": b"home", "tags/oil/index.html": b"oil"}
    assert not previous_tree(output).exists()
    assert previous_tree(output) == tmp_path / ".output.previous"


def test_the_second_build_links_what_output_has_right_and_writes_the_rest(
    tmp_path: Path,
) -> None:
    output = tmp_path / "output"
    current = first_build(output, {"a.html": b"a", "b.html": b"b", "c.html": b"c"})
    first_a = inode(output / "a.html")
    staging = Staging(output, None, current)
    assert staging.keep("a.html", "key:a")
    assert not staging.keep("b.html", "key:b2")  # its key changed: render it again
    assert not staging.keep("new.html", "key:new")
    staging.put("b.html", b"b2", "key:b2")
    staging.put("copy-of-c.html", b"c", "key:c-copy")  # output/ has no such file
    staging.put("c.html", b"c", "key:c-again")  # rendered again to the same bytes
    staging.commit()
    assert tree(output) == {"a.html": b"a", "b.html": b"b2", "c.html": b"c",
                            "copy-of-c.html": b"c"}
    assert staging.written == 2
    assert inode(output / "a.html") == first_a
    older = previous_tree(output)
    assert tree(older) == {"a.html": b"a", "b.html": b"b", "c.html": b"c"}
    assert inode(older / "c.html") == inode(output / "c.html")
    assert staging.wanted == {"a.html": "key:a", "b.html": "key:b2",
                              "copy-of-c.html": "key:c-copy", "c.html": "key:c-again"}


def test_the_third_build_brings_the_tree_one_build_older_up_to_date(tmp_path: Path) -> None:
    output = tmp_path / "output"
    older = previous_tree(output)
    one = first_build(output, {"same.html": b"same", "edited.html": b"v1",
                               "gone/deep/index.html": b"gone", "kept/index.html": b"kept",
                               "back.html": b"back"})
    same_inode = inode(output / "same.html")
    second = Staging(output, None, one)
    for name in ("same.html", "gone/deep/index.html", "kept/index.html", "back.html"):
        assert second.keep(name, one[name])
    second.put("edited.html", b"v2", "key:v2")
    second.commit()
    two, v2_inode = second.wanted, inode(output / "edited.html")

    third = Staging(output, one, two)
    assert not third._fresh
    assert third.keep("same.html", "key:same")  # right in the older tree already
    assert third.keep("edited.html", "key:v2")  # right in output/: linked
    assert not third.keep("kept/index.html", "key:kept-2")
    third.put("kept/index.html", b"kept", "key:kept-2")  # the older tree has these bytes
    third.put("back.html", b"back again", "key:back-2")
    third.put("new/index.html", b"new", "key:new")
    third.commit()
    assert third.written == 2
    assert tree(output) == {"same.html": b"same", "edited.html": b"v2",
                            "kept/index.html": b"kept", "back.html": b"back again",
                            "new/index.html": b"new"}
    assert not (output / "gone").exists()  # with the folders it leaves empty
    assert inode(output / "same.html") == same_inode
    assert inode(output / "edited.html") == v2_inode
    assert tree(older)["back.html"] == b"back"  # output/'s file was replaced, not changed
    assert tree(older)["edited.html"] == b"v2"
    assert not (older / MARKER).exists() and not (output / MARKER).exists()


def test_a_third_build_undoing_the_second_writes_nothing(tmp_path: Path) -> None:
    """The older tree has build 1's bytes: they stay, whatever output/ holds."""
    output = tmp_path / "output"
    one = first_build(output, {"kept.html": b"v1", "put.html": b"v1"})
    second = Staging(output, None, one)
    second.put("kept.html", b"v2", "key:v2")
    second.put("put.html", b"v2", "key:v2")
    second.put("added.html", b"added", "key:added")
    second.commit()
    third = Staging(output, one, second.wanted)
    assert third.keep("kept.html", "key:v1")
    assert third.keep("added.html", "key:added")  # only output/ has it: linked
    third.put("put.html", b"v1", "key:v1-again")
    third.commit()
    assert third.written == 0
    assert tree(output) == {"kept.html": b"v1", "put.html": b"v1", "added.html": b"added"}


def test_a_file_output_should_have_but_lost_is_not_kept(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a", "b.html": b"b"})
    (output / "a.html").unlink()
    staging = Staging(output, None, one)
    assert not staging.keep("a.html", "key:a")
    assert staging.keep("b.html", "key:b")
    assert staging.wanted == {"b.html": "key:b"}


def test_a_file_the_older_tree_lost_is_no_trouble(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a", "gone/index.html": b"g"})
    second = Staging(output, None, one)
    second.keep("a.html", "key:a")
    second.commit()
    (previous_tree(output) / "gone" / "index.html").unlink()
    third = Staging(output, one, second.wanted)
    third.keep("a.html", "key:a")
    third.commit()
    assert tree(output) == {"a.html": b"a"}


def test_the_output_folder_may_be_deep_in_folders_not_made_yet(tmp_path: Path) -> None:
    output = tmp_path / "a" / "b" / "output"
    first_build(output, {"index.html": b"home"})
    assert tree(output) == {"index.html": b"home"}


def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    output = tmp_path / "output"
    first_build(output, {"index.html": b"home"})
    assert (output / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_swap_is_one_line_naming_the_output_folder(tmp_path: Path) -> None:
    output = tmp_path / "output"
    staging = Staging(output, None, {})
    staging.put("a.html", b"a", "key:a")
    with pytest.raises(FolioError, match=f"^swapping the new site into {output} failed: "):
        staging.commit(lambda root: (root / MARKER).unlink())
    assert not output.exists()


def test_a_fourth_build_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "output"
    files = {"a.html": b"a", "t/index.html": b"t"}
    behind, current = first_build(output, files), {}
    for _ in range(3):
        staging = Staging(output, behind if current else None, current or behind)
        for name, data in files.items():
            if not staging.keep(name, key_of(data)):
                staging.put(name, data, key_of(data))
        staging.commit()
        assert staging.written == 0
        behind, current = current or behind, staging.wanted
        assert tree(output) == files
        assert inode(output / "a.html") == inode(previous_tree(output) / "a.html")


def test_a_tree_that_was_rendered_again_to_the_same_bytes_is_known_as_shared(
    tmp_path: Path,
) -> None:
    """Every key changed but no byte: the next build finds the older tree's files are
    output/'s own and keeps them without linking each again."""
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a"})
    second = Staging(output, None, one)
    second.put("a.html", b"a", "key:new-template")
    second.commit()
    assert second.written == 0
    older_file = previous_tree(output) / "a.html"
    before = older_file.stat().st_ctime_ns
    third = Staging(output, one, second.wanted)
    assert third.keep("a.html", "key:new-template")
    assert older_file.stat().st_ctime_ns == before  # not linked again
    third.commit()
    assert tree(output) == {"a.html": b"a"}


def test_a_tree_left_half_updated_is_started_anew(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a", "b.html": b"b"})
    second = Staging(output, None, one)
    second.keep("a.html", "key:a")
    second.keep("b.html", "key:b")
    second.commit()
    older = previous_tree(output)
    (older / "a.html").unlink()
    (older / "a.html").write_bytes(b"half written")
    (older / "stray.html").write_bytes(b"stray")
    (older / MARKER).touch()
    third = Staging(output, one, second.wanted)
    assert not third.keep("b.html", "key:old-b")
    assert third.keep("a.html", "key:a")  # linked from output/, not the damaged copy
    third.put("b.html", b"b", "key:b")
    third.commit()
    assert tree(output) == {"a.html": b"a", "b.html": b"b"}


def test_an_older_tree_not_known_is_started_anew(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a"})
    older = previous_tree(output)
    older.mkdir()
    (older / "a.html").write_bytes(b"someone else's")
    (older / "stray" / "x").mkdir(parents=True)
    staging = Staging(output, None, one)
    assert staging.keep("a.html", "key:a")
    staging.commit()
    assert tree(output) == {"a.html": b"a"}


def test_a_key_the_older_tree_holds_for_another_name_is_not_kept(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"a.html": b"a"})
    staging = Staging(output, {"a.html": "key:old"}, one)
    assert not staging.keep("b.html", "key:a")
    assert not staging.keep("a.html", "key:old-but-different")


def test_files_and_folders_trading_places_in_the_older_tree(tmp_path: Path) -> None:
    output = tmp_path / "output"
    one = first_build(output, {"moved/index.html": b"a page once", "notes": b"a file once"})
    second = Staging(output, None, one)
    second.put("other.html", b"x", "key:x")
    second.commit()
    third = Staging(output, one, second.wanted)
    third.put("moved", b"a file now", "key:moved")
    third.put("notes/index.html", b"a page now", "key:notes")
    third.commit()
    assert tree(output) == {"moved": b"a file now", "notes/index.html": b"a page now"}


def test_many_folders_in_one_build(tmp_path: Path) -> None:
    """More folders than the staging tree remembers it made."""
    output = tmp_path / "output"
    files = {f"2020/{n // 100:02d}/{n:04d}/index.html": b"%d" % n for n in range(1100)}
    one = first_build(output, files)
    second = Staging(output, None, one)
    second.commit()
    third = Staging(output, one, {})
    for name, data in files.items():
        third.put(name, data + b"!", "key:v2")
    third.commit()
    assert third.written == 1100
    assert tree(output) == {name: data + b"!" for name, data in files.items()}


def test_copies_count_as_written_and_land_in_the_tree(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"jpeg bytes")
    output = tmp_path / "output"
    staging = Staging(output, None, {})
    staging.copy("images/photo.jpg", source, "key:photo")
    staging.copy("images/again.jpg", source, "key:photo")
    staging.commit()
    assert staging.written == 2
    assert staging.wanted == {"images/photo.jpg": "key:photo", "images/again.jpg": "key:photo"}
    assert tree(output) == {"images/photo.jpg": b"jpeg bytes", "images/again.jpg": b"jpeg bytes"}


def test_a_folder_is_taken_from_output_or_cleared(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first_build(output, {"search/index.js": b"js", "search/parts/one.pf": b"pf"})
    staging = Staging(output, None, {})
    assert staging.take_folder("search", "index.js")
    assert not staging.take_folder("nothing-here", "index.js")
    assert tree(staging.root) == {"search/index.js": b"js", "search/parts/one.pf": b"pf",
                                  MARKER: b""}
    assert inode(staging.root / "search" / "index.js") == inode(output / "search" / "index.js")
    staging.clear_folder("search")
    assert not (staging.root / "search").exists()


def test_commit_runs_the_last_step_on_the_new_tree_before_the_swap(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first_build(output, {"a.html": b"old"})
    staging = Staging(output, None, {})
    staging.put("a.html", b"new", "key:new")
    seen: list[dict[str, bytes]] = []

    def finish(root: Path) -> None:
        seen.append(tree(root))
        (root / "index.json").write_bytes(b"{}")

    staging.commit(finish)
    assert seen == [{"a.html": b"new", MARKER: b""}]
    assert tree(output) == {"a.html": b"new", "index.json": b"{}"}


def test_a_failing_last_step_leaves_output_as_it_was(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first_build(output, {"a.html": b"old"})
    staging = Staging(output, None, {})
    staging.put("a.html", b"new", "key:new")

    def finish(root: Path) -> None:
        raise FolioError("broken links")

    with pytest.raises(FolioError):
        staging.commit(finish)
    assert tree(output) == {"a.html": b"old"}
    assert (previous_tree(output) / MARKER).exists()


@pytest.mark.parametrize("name", ["../escaped.html", "a/../../escaped.html", "/escaped.html"])
def test_a_name_outside_the_tree_is_refused(tmp_path: Path, name: str) -> None:
    staging = Staging(tmp_path / "output", None, {})
    with pytest.raises(FolioError, match=f"refusing to write {name}: it lies outside"):
        staging.put(name, b"nope", "key")
    assert not list(tmp_path.rglob("escaped.html"))


def test_trees_parked_by_a_killed_build_are_removed_once_their_process_is_gone(
    tmp_path: Path,
) -> None:
    output = tmp_path / "my-output"
    with subprocess.Popen(["sleep", "60"]) as alive_process:
        try:
            gone, alive, odd, own = (tmp_path / f".my-output.old-{tail}" for tail in (
                "999999999", alive_process.pid, "x", os.getpid()))
            for folder in (gone, alive, odd, own):
                (folder / "sub").mkdir(parents=True)
            other = tmp_path / ".other.old-999999999"
            other.mkdir()
            Staging(output, None, {})
            assert not gone.exists() and not own.exists()
            assert alive.exists() and odd.exists() and other.exists()
            assert alive_process.poll() is None  # asked whether it runs, not signalled
        finally:
            alive_process.kill()


@pytest.mark.parametrize("protected", ["content", ".git", "folio.toml"])
def test_an_output_folder_holding_a_site_or_a_repository_is_refused(
    tmp_path: Path, protected: str
) -> None:
    site, output = tmp_path / "site", tmp_path / "elsewhere"
    site.mkdir()
    output.mkdir()
    (output / protected).mkdir() if protected != "folio.toml" else (
        output / protected).write_text("")
    with pytest.raises(FolioError) as caught:
        check_output_dir(output, site)
    assert str(caught.value) == (
        f"output folder {output} contains {protected}; Folio replaces the whole folder on "
        "every build, so point --output at a folder of its own")


def test_an_output_folder_that_holds_the_site_or_is_a_file_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    for output in (site, tmp_path):
        with pytest.raises(FolioError, match="holds the site itself; choose another"):
            check_output_dir(output, site)
    (tmp_path / "file").write_text("")
    with pytest.raises(FolioError, match=r"output path .*file is a file, not a folder"):
        check_output_dir(tmp_path / "file", site)


def test_output_folders_of_its_own_are_accepted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    check_output_dir(tmp_path / "not-yet", site)
    check_output_dir(site / "output", site)
    (tmp_path / "built" / "tags").mkdir(parents=True)
    (tmp_path / "built" / "tags" / "content").mkdir()
    check_output_dir(tmp_path / "built", site)


def test_the_cli_refuses_an_output_folder_holding_a_repository(site_factory: SiteFactory,
                                                               tmp_path: Path) -> None:
    site = site_factory({"one.md": article(title="One")})
    output = tmp_path / "repo"
    (output / ".git").mkdir(parents=True)
    result = run_folio("build", "--site", site, "--output", output, "--now", NOW)
    assert result.code == 1
    assert f"output folder {output} contains .git" in result.err
    assert (output / ".git").is_dir()


def cli_build(site: Path) -> str:
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
    assert result.code == 0, result.err
    return result.out + result.err


def written(summary: str) -> int:
    match = re.search(r"(\d+) rendered, (\d+) files? written", summary)
    assert match, summary
    return int(match.group(2))


def test_five_builds_in_a_row_equal_clean_builds(tmp_path: Path) -> None:
    """Build 3 is the first to update the tree one build older rather than start anew:
    undoing build 2's edit there writes nothing, the older tree has those bytes."""
    two = article(title="Two", date="2020-01-02T10:00:00Z", tags=["Oil"])
    stories = {"one.md": article(title="One", date="2020-01-01T10:00:00Z", tags=["Oil"]),
               "two.md": two, "three.md": article(title="Three", date="2020-01-03T10:00:00Z")}
    config = 'title = "Swap Gazette"\nbase_url = "https://swap.example.org/"\nsearch = false\n'
    site = make_site(tmp_path / "site", stories, config)
    output, older = site / "output", previous_tree(site / "output")
    edits: list[tuple[str, str | None, Callable[[int], bool]]] = [
        ("two.md", two.replace("Body text.", "An edited body."), lambda files: files > 0),
        ("two.md", two, lambda files: files == 0),
        ("one.md", None, lambda files: files > 0),
        ("four.md", article(title="Four", date="2020-01-04T10:00:00Z", tags=["Gas"]),
         lambda files: files > 0),
    ]
    cli_build(site)
    unchanged = inode(output / "404.html")  # the one page no edit touches
    for number, (name, text, expected) in enumerate(edits, start=2):
        if text is None:
            (site / "content" / name).unlink()
        else:
            (site / "content" / name).write_text(text, encoding="utf-8")
        summary = cli_build(site)
        assert expected(written(summary)), f"build {number}: {summary}"
        clean = make_site(tmp_path / f"clean{number}", {}, config)
        shutil.rmtree(clean / "content")
        shutil.copytree(site / "content", clean / "content")
        cli_build(clean)
        assert tree(output) == tree(clean / "output"), f"build {number}"
        assert inode(output / "404.html") == unchanged
        assert not (older / MARKER).exists()
    assert not (output / "2020" / "01" / "01").exists()
    assert "Four" in (output / "tags" / "gas" / "index.html").read_text(encoding="utf-8")
