"""`folio publish` to a git branch (GitHub Pages style), pushed to a local bare repository."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import article, build, tree
from publish_helpers import NO_SEARCH, counts, news_site, publish

SiteFactory = Callable[..., Path]
pytestmark = pytest.mark.timeout(120)
IDENTITY = ["-c", "user.name=Test Editor", "-c", "user.email=editor@example.org"]


def git(*args: str | Path, cwd: Path | None = None) -> str:
    command = ["git", *IDENTITY, *(str(a) for a in args)]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def branch_tree(bare: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    """Every file on `branch` of `bare`, with its bytes."""
    listing = git("--git-dir", bare, "ls-tree", "-r", "-z", "--name-only", branch)
    return {
        path: subprocess.run(["git", "--git-dir", str(bare), "show", f"{branch}:{path}"],
                             capture_output=True, check=True, timeout=60).stdout
        for path in filter(None, listing.split("\0"))
    }


def _state(repo: Path) -> tuple[str, ...]:
    """What a publish must not touch in the writer's own repository."""
    return (
        git("status", "--porcelain", "--untracked-files=all", cwd=repo),
        git("rev-parse", "HEAD", cwd=repo),
        git("symbolic-ref", "HEAD", cwd=repo),
        git("for-each-ref", cwd=repo),
        (repo / ".git" / "index").read_bytes().hex(),
    )


@pytest.fixture
def setup(site_factory: SiteFactory, tmp_path: Path) -> tuple[Path, Path]:
    """A site that is a git repository (branch main, a remote origin) and that bare remote."""
    bare = tmp_path / "remote.git"
    git("init", "--bare", "--quiet", bare)
    config = NO_SEARCH + f"\n[publish.pages]\nurl = 'git+{bare}'\ncname = 'news.example.org'\n"
    site = news_site(site_factory, config)
    (site / ".gitignore").write_text("output/\n.folio-cache/\n", encoding="utf-8")
    git("init", "--quiet", "--initial-branch=main", cwd=site)
    git("add", ".", cwd=site)
    git("commit", "--quiet", "-m", "Stories", cwd=site)
    git("remote", "add", "origin", bare, cwd=site)
    git("push", "--quiet", "origin", "main", cwd=site)
    (site / "notes.txt").write_text("unsaved work", encoding="utf-8")  # a dirty tree
    return site, bare


def test_branch_tree_equals_output_plus_nojekyll_and_cname(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    before = _state(site)

    result = publish(site, "pages")

    assert result.code == 0, result.err
    expected = {**tree(site / "output"), ".nojekyll": b"", "CNAME": b"news.example.org\n"}
    assert branch_tree(bare) == expected
    assert counts(result) == {"uploaded": len(expected), "unchanged": 0, "deleted": 0}
    assert _state(site) == before
    assert git("--git-dir", bare, "rev-parse", "main") == git("rev-parse", "main", cwd=site)


def test_second_publish_makes_no_commit(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    assert publish(site, "pages").code == 0
    first = git("--git-dir", bare, "rev-parse", "gh-pages")
    again = publish(site, "pages")
    assert again.code == 0, again.err
    assert "nothing changed" in again.out and counts(again)["uploaded"] == 0
    assert git("--git-dir", bare, "rev-parse", "gh-pages") == first


def test_an_edit_adds_a_commit_on_top(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    assert publish(site, "pages").code == 0
    first = git("--git-dir", bare, "rev-parse", "gh-pages").strip()
    (site / "content" / "harbour.md").unlink()
    (site / "content" / "late.md").write_text(article(title="Late Story"), encoding="utf-8")
    assert build(site).code == 0
    before = _state(site)

    result = publish(site, "pages", "--delete")

    assert result.code == 0, result.err
    assert counts(result)["deleted"] >= 1
    assert git("--git-dir", bare, "rev-parse", "gh-pages^").strip() == first
    expected = {**tree(site / "output"), ".nojekyll": b"", "CNAME": b"news.example.org\n"}
    assert branch_tree(bare) == expected
    assert _state(site) == before


def test_without_the_cache_the_branch_still_grows_on_its_tip(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    assert publish(site, "pages").code == 0
    first = git("--git-dir", bare, "rev-parse", "gh-pages").strip()
    shutil.rmtree(site / ".folio-cache")  # as on another machine, or after a clean-up
    assert "nothing changed" in publish(site, "pages").out
    (site / "content" / "late.md").write_text(article(title="Late Story"), encoding="utf-8")
    assert build(site).code == 0
    assert publish(site, "pages").code == 0
    assert git("--git-dir", bare, "rev-parse", "gh-pages^").strip() == first


def test_without_delete_old_pages_stay_on_the_branch(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    assert publish(site, "pages").code == 0
    (site / "content" / "harbour.md").unlink()
    assert build(site).code == 0
    assert publish(site, "pages").code == 0
    assert "2021/02/10/harbour/index.html" in branch_tree(bare)


def test_dry_run_pushes_nothing(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    result = publish(site, "pages", "--dry-run")
    assert result.code == 0, result.err
    assert "upload  .nojekyll" in result.out.splitlines()
    assert git("--git-dir", bare, "branch", "--list", "gh-pages") == ""


def test_a_rejected_push_is_one_clear_line(setup: tuple[Path, Path]) -> None:
    site, bare = setup
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'gh-pages is frozen' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    result = publish(site, "pages")
    assert result.code == 1
    assert result.err.startswith("Publishing to pages failed:")
    assert "rejected" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_an_unreachable_repository_is_one_clear_line(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = news_site(site_factory)
    result = publish(site, f"git+{tmp_path / 'nowhere.git'}")
    assert result.code == 1
    assert result.err.startswith(f"Publishing to git+{tmp_path / 'nowhere.git'} failed:")
    assert "nowhere.git" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_branch_setting_and_a_site_outside_any_repository(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    bare = tmp_path / "pages.git"
    git("init", "--bare", "--quiet", bare)
    config = NO_SEARCH + f"\n[publish.p]\nurl = 'git+{bare}'\nbranch = 'site'\n"
    site = news_site(site_factory, config)
    assert publish(site, "p").code == 0
    assert branch_tree(bare, "site") == {**tree(site / "output"), ".nojekyll": b""}


def test_the_sites_own_repository_is_a_normal_target(setup: tuple[Path, Path]) -> None:
    site, _bare = setup
    content, status = tree(site / "content"), git("status", "--porcelain", cwd=site)
    head = git("rev-parse", "HEAD", cwd=site)
    result = publish(site, f"git+{site}")
    assert result.code == 0, result.err
    assert branch_tree(site / ".git") == {**tree(site / "output"), ".nojekyll": b""}
    assert tree(site / "content") == content
    assert git("status", "--porcelain", cwd=site) == status
    assert git("rev-parse", "HEAD", cwd=site) == head
