"""`folio publish` to a local folder: only changed files copied, deletions on request, dry runs."""

from __future__ import annotations

import contextlib
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import article, build, tree
from publish_helpers import NO_SEARCH, counts, news_site, publish

SiteFactory = Callable[..., Path]
OLD = 1_000_000_000  # a modification time long before any test runs
pytestmark = pytest.mark.timeout(120)


def _age(folder: Path) -> None:
    """Backdate every file, so that a file written later shows a newer mtime."""
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def _touched(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime > OLD
    }


def _stat(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*") if p.is_file()
    }


def test_first_publish_copies_the_site(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory)
    result = publish(site, tmp_path / "www")
    assert result.code == 0, result.err
    assert tree(tmp_path / "www") == tree(site / "output")
    assert counts(result) == {"uploaded": len(tree(site / "output")), "unchanged": 0, "deleted": 0}


def test_an_edit_copies_only_the_pages_that_changed(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = news_site(site_factory)
    www = tmp_path / "www"
    assert publish(site, www).code == 0
    _age(www)
    before = tree(site / "output")
    (site / "content" / "river.md").write_text(
        article("The river rose overnight, then fell.", title="River Floods Again, Then Recedes",
                tags=["Floods"], date="2020-05-03T09:30:00-04:00", byline=["Amira Haddad"]),
        encoding="utf-8",
    )
    assert build(site).code == 0
    after = tree(site / "output")
    differ = {path for path in after if before.get(path) != after[path]}

    result = publish(site, www)

    assert result.code == 0, result.err
    assert _touched(www) == differ
    assert counts(result) == {
        "uploaded": len(differ), "unchanged": len(after) - len(differ), "deleted": 0
    }
    assert {"2020/05/03/river/index.html", "index.html", "feed.xml", "tags/floods/index.html",
            "authors/amira-haddad/index.html"} <= differ
    assert "2022/06/01/ferry/index.html" not in differ  # not a neighbour, shares no tag
    assert "css/folio.css" not in differ
    assert tree(www) == after


def test_publishing_twice_transfers_nothing(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory)
    assert publish(site, tmp_path / "www").code == 0
    _age(tmp_path / "www")
    again = publish(site, tmp_path / "www")
    assert again.code == 0
    assert counts(again)["uploaded"] == 0 and counts(again)["deleted"] == 0
    assert "nothing changed" in again.out
    assert _touched(tmp_path / "www") == set()


def test_delete_removes_a_deleted_article_only_when_asked(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = news_site(site_factory)
    www = tmp_path / "www"
    assert publish(site, www).code == 0
    (site / "content" / "harbour.md").unlink()
    assert build(site).code == 0
    page = www / "2021/02/10/harbour/index.html"

    kept = publish(site, www)
    assert kept.code == 0 and page.exists()
    assert "--delete removes them" in kept.out

    deleted = publish(site, www, "--delete")
    assert deleted.code == 0, deleted.err
    assert not page.exists() and not page.parent.exists()
    assert counts(deleted)["deleted"] >= 1
    assert tree(www) == tree(site / "output")


def test_dry_run_changes_nothing_and_lists_the_changes(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = news_site(site_factory)
    www = tmp_path / "www"
    assert publish(site, www).code == 0
    (site / "content" / "harbour.md").unlink()
    (site / "content" / "extra.md").write_text(article(title="Late Extra"), encoding="utf-8")
    assert build(site).code == 0
    before = _stat(www)

    result = publish(site, www, "--dry-run", "--delete")

    assert result.code == 0, result.err
    assert _stat(www) == before
    lines = result.out.splitlines()
    assert "upload  2020/05/01/extra/index.html" in lines
    assert "change  index.html" in lines
    assert "delete  2021/02/10/harbour/index.html" in lines
    assert lines[-1].startswith("Dry run for ") and "nothing was changed" in lines[-1]
    assert not publish(site, tmp_path / "fresh", "--dry-run").code
    assert not (tmp_path / "fresh").exists()


def test_named_target_in_folio_toml(site_factory: SiteFactory) -> None:
    config = NO_SEARCH + '\n[publish.local]\nurl = "../www"\ndelete = true\n'
    site = news_site(site_factory, config)
    (site.parent / "www").mkdir()
    (site.parent / "www" / "stale.html").write_text("old", encoding="utf-8")
    result = publish(site)  # the only target is the default
    assert result.code == 0, result.err
    assert result.out.startswith("Published to local:")
    assert tree(site.parent / "www") == tree(site / "output")
    assert publish(site, "local", "--no-delete").code == 0


def test_refuses_a_site_that_was_never_built(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory, built=False)
    result = publish(site, tmp_path / "www")
    assert result.code == 1
    assert "index.html" in result.err and "--build" in result.err
    assert not (tmp_path / "www").exists()


def test_build_flag_builds_first(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory, built=False)
    result = publish(site, tmp_path / "www", "--build")
    assert result.code == 0, result.err
    assert result.out.startswith("Built 4 articles")
    assert tree(tmp_path / "www") == tree(site / "output")


def test_a_failed_build_publishes_nothing(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory)
    (site / "content" / "broken.md").write_text(article(title=None), encoding="utf-8")
    result = publish(site, tmp_path / "www", "--build")
    assert result.code == 1
    assert "broken.md" in result.err
    assert not (tmp_path / "www").exists()


def test_a_file_in_the_way_is_one_clear_error(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory)
    (tmp_path / "www").write_text("not a folder", encoding="utf-8")
    result = publish(site, tmp_path / "www")
    assert result.code == 1
    assert result.err.startswith(f"Publishing to {tmp_path / 'www'} failed:")
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_progress_only_on_a_terminal(site_factory: SiteFactory, tmp_path: Path) -> None:
    site = news_site(site_factory)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    command = [sys.executable, "-m", "generator", "publish", "--site", str(site)]
    piped = subprocess.run([*command, str(tmp_path / "piped")], capture_output=True, text=True,
                           env=env, check=True, timeout=60)
    assert "Copying" not in piped.stderr
    assert "Copying [" in _in_terminal([*command, str(tmp_path / "tty")], env)


def _in_terminal(command: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    with contextlib.suppress(OSError):  # the terminal closes when the process ends
        while chunk := os.read(leader, 4096):
            output += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, output
    return output.decode("utf-8", "replace")
