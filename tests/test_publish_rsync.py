"""`folio publish` over rsync and ssh, to a throwaway sshd on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import build, tree
from publish_helpers import NO_SEARCH, counts, news_site, publish
from servers.ports import free_port
from servers.sshd import SshServer, sshd

SiteFactory = Callable[..., Path]
pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with sshd(tmp_path_factory.mktemp("sshd")) as running:
        yield running


def _site(site_factory: SiteFactory, server: SshServer, far: Path, port: int = 0) -> Path:
    url = f"ssh://{server.user}@127.0.0.1:{port or server.port}{far}"
    config = NO_SEARCH + f"\n[publish.box]\nurl = '{url}'\nssh_command = '{server.ssh_command}'\n"
    return news_site(site_factory, config)


def test_the_far_tree_equals_output(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path
) -> None:
    far = tmp_path / "far" / "www"
    far.parent.mkdir()
    site = _site(site_factory, server, far)

    first = publish(site, "box")
    assert first.code == 0, first.err
    assert tree(far) == tree(site / "output")
    assert counts(first) == {"uploaded": len(tree(far)), "unchanged": 0, "deleted": 0}

    again = publish(site, "box")
    assert again.code == 0, again.err
    assert counts(again) == {"uploaded": 0, "unchanged": len(tree(far)), "deleted": 0}
    assert "nothing changed" in again.out


def test_changes_and_deletions_reach_the_far_side(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path
) -> None:
    far = tmp_path / "www"
    site = _site(site_factory, server, far)
    assert publish(site, "box").code == 0
    (site / "content" / "harbour.md").unlink()
    assert build(site).code == 0

    dry = publish(site, "box", "--delete", "--dry-run")
    assert dry.code == 0, dry.err
    assert "delete  2021/02/10/harbour/index.html" in dry.out.splitlines()
    assert (far / "2021/02/10/harbour/index.html").exists()

    kept = publish(site, "box")
    assert kept.code == 0 and (far / "2021/02/10/harbour/index.html").exists()
    assert counts(kept)["uploaded"] > 0 and counts(kept)["deleted"] == 0

    deleted = publish(site, "box", "--delete")
    assert deleted.code == 0, deleted.err
    assert counts(deleted)["uploaded"] == 0 and counts(deleted)["deleted"] >= 1
    assert tree(far) == tree(site / "output")


def test_unreachable_host_is_one_clear_line(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path
) -> None:
    site = _site(site_factory, server, tmp_path / "www", port=free_port())
    result = publish(site, "box")
    assert result.code == 1
    assert result.err.startswith("Publishing to box failed:")
    assert "Connection refused" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_a_key_the_server_refuses_is_one_clear_line(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path
) -> None:
    url = f"ssh://{server.user}@127.0.0.1:{server.port}{tmp_path / 'www'}"
    stranger = server.ssh_command.replace("client_key", "host_key")  # a key it does not accept
    config = NO_SEARCH + f"\n[publish.box]\nurl = '{url}'\nssh_command = '{stranger}'\n"
    site = news_site(site_factory, config)
    result = publish(site, "box")
    assert result.code == 1
    assert result.err.startswith("Publishing to box failed:")
    assert "Permission denied" in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert not (tmp_path / "www").exists()


def test_missing_rsync_is_named(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = _site(site_factory, server, tmp_path / "www")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = publish(site, "box")
    assert result.code == 1
    assert "rsync is not installed" in result.err


@pytest.mark.parametrize(("host", "where", "says"), [
    ("127.0.0.1", "content", "is inside the site folder"),
    ("127.0.0.1", ".", "is the site folder"),
    ("localhost", "templates", "is inside the site folder"),
])
def test_this_machine_over_ssh_is_kept_out_of_the_site(
    site_factory: SiteFactory, server: SshServer, host: str, where: str, says: str
) -> None:
    site = news_site(site_factory)
    (site / "templates").mkdir()
    (site / "templates" / "README.txt").write_text("Template overrides.\n", encoding="utf-8")
    url = f"ssh://{server.user}@{host}:{server.port}{site / where}"
    (site / "folio.toml").write_text(
        NO_SEARCH + f"\n[publish.box]\nurl = '{url}'\nssh_command = '{server.ssh_command}'\n",
        encoding="utf-8",
    )
    before = tree(site)
    result = publish(site, "box", "--delete")
    assert result.code == 1
    assert result.err.startswith("Publishing to box failed:") and says in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert tree(site) == before


def test_a_link_on_the_far_side_is_replaced_not_followed(
    site_factory: SiteFactory, server: SshServer, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("<p>Someone else's page</p>\n", encoding="utf-8")
    far = tmp_path / "www"
    far.mkdir()
    (far / "tags").symlink_to("../victim")
    site = _site(site_factory, server, far)
    result = publish(site, "box", "--delete")
    assert result.code == 0, result.err
    assert tree(victim) == {"index.html": b"<p>Someone else's page</p>\n"}
    assert not (far / "tags").is_symlink()
    assert tree(far) == tree(site / "output")
