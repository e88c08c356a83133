"""`folio publish` never writes into the site, nor through a symbolic link in the target."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import build, tree
from publish_helpers import NO_SEARCH, news_site, publish

SiteFactory = Callable[..., Path]
Entry = bytes | str
pytestmark = pytest.mark.timeout(120)

# Folders of a site (and beyond it) a publish must never write into or delete from.
INSIDE = [
    "content", "content/new/folder", "templates", "static", "themes/house", ".folio-cache",
    ".output.previous", "output", "output/tags", "brand-new", ".", "..",
]


def snapshot(folder: Path) -> dict[str, Entry]:
    """Every entry under `folder`, links not followed: file bytes, 'folder', or 'link to X'."""
    found: dict[str, Entry] = {}
    for parent, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(parent, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = f"link to {path.readlink()}"
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = path.read_bytes()
    return found


@pytest.fixture
def site(site_factory: SiteFactory) -> Path:
    """A news site with templates/, static/ and themes/, built twice (.output.previous/ too)."""
    folder = news_site(site_factory, built=False)
    for path, text in {
        "templates/README.txt": "Overrides of the theme's templates go here.\n",
        "static/press.txt": "Press contact: desk@example.org\n",
        "themes/house/README.txt": "A theme in the making.\n",
    }.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    assert build(folder).code == 0
    assert build(folder).code == 0
    assert (folder / ".folio-cache").is_dir()
    assert (folder / "content" / "river.md").is_file()
    return folder


def _refused(result_code: int, err: str, *words: str) -> None:
    assert result_code == 1, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


@pytest.mark.parametrize("where", INSIDE)
def test_a_folder_target_in_or_around_the_site_is_refused(
    site: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(site)
    monkeypatch.chdir(site)
    result = publish(site, f"./{where}", "--delete")
    _refused(result.code, result.err, "site folder", str(site), "publish to a folder outside it")
    assert snapshot(site) == before


@pytest.mark.parametrize("where", INSIDE)
def test_a_configured_target_in_or_around_the_site_is_refused(
    site: Path, where: str
) -> None:
    config = site / "folio.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[publish.live]\nurl = "{where}"\ndelete = true\n',
        encoding="utf-8",
    )
    before = snapshot(site)
    result = publish(site, "live")
    _refused(result.code, result.err, "Publishing to live failed", "site folder")
    assert snapshot(site) == before


def test_the_refusal_comes_before_a_build(site_factory: SiteFactory) -> None:
    unbuilt = news_site(site_factory, built=False)
    result = publish(unbuilt, unbuilt / "content", "--build", "--delete")
    _refused(result.code, result.err, "is inside the site folder")
    assert not (unbuilt / "output").exists()


@pytest.mark.parametrize(("link", "leads_to", "given"), [
    ("www", "content", "www"),  # the target is itself a link into content/
    ("alias", ".", "alias/templates"),  # a folder reached through a link to the site
])
def test_links_into_the_site_are_seen_through(
    site: Path, tmp_path: Path, link: str, leads_to: str, given: str
) -> None:
    (tmp_path / link).symlink_to(site / leads_to, target_is_directory=True)
    before = snapshot(site)
    result = publish(site, tmp_path / given, "--delete")
    _refused(result.code, result.err, "really", "is inside the site folder")
    assert snapshot(site) == before


def _victim(tmp_path: Path) -> Path:
    """A folder outside both site and target that links in the target lead to."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("<p>Someone else's page</p>\n", encoding="utf-8")
    (victim / "notes.txt").write_text("Someone else's notes\n", encoding="utf-8")
    return victim


@pytest.mark.parametrize(("link", "points_to", "flags", "says"), [
    ("tags", "../victim", (), "write through or over it"),
    ("tags", "../victim", ("--dry-run",), "write through or over it"),
    ("2020", "../victim", ("--delete",), "write through or over it"),
    ("index.html", "../victim/index.html", (), "write through or over it"),
    ("media", "../victim", ("--delete",), "--delete would remove it"),
    ("old.html", "../victim/notes.txt", ("--delete",), "--delete would remove it"),
])
def test_a_link_in_the_target_is_never_followed_nor_replaced(
    site: Path, tmp_path: Path, link: str, points_to: str, flags: tuple[str, ...], says: str
) -> None:
    victim = _victim(tmp_path)
    www = tmp_path / "www"
    assert publish(site, www).code == 0
    (www / "tags" / "budget" / "index.html").unlink()  # so that the publish has work to do
    if (www / link).is_dir():
        for path in sorted((www / link).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        (www / link).rmdir()
    else:
        (www / link).unlink(missing_ok=True)
    (www / link).symlink_to(points_to)
    victim_before, www_before, site_before = snapshot(victim), snapshot(www), snapshot(site)

    result = publish(site, www, *flags)

    _refused(result.code, result.err, f"{www / link} is a symbolic link (to {points_to})", says)
    assert snapshot(victim) == victim_before
    assert snapshot(www) == www_before
    assert snapshot(site) == site_before


def test_a_link_the_site_does_not_reach_is_left_alone(site: Path, tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    www = tmp_path / "www"
    www.mkdir()
    (www / "media").symlink_to("../victim")
    victim_before = snapshot(victim)

    result = publish(site, www)

    assert result.code == 0, result.err
    assert (www / "media").readlink() == Path("../victim")
    assert snapshot(victim) == victim_before
    assert {k: v for k, v in tree(www).items() if not k.startswith("media/")} == tree(
        site / "output"
    )


def test_a_link_to_the_site_inside_the_target_is_refused(site: Path, tmp_path: Path) -> None:
    """The tester's case with the site as the victim: www/tags -> the site's content/."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "tags").symlink_to(site / "content", target_is_directory=True)
    before = snapshot(site)
    result = publish(site, www, "--delete")
    _refused(result.code, result.err, f"{www / 'tags'} is a symbolic link")
    assert snapshot(site) == before


@pytest.mark.parametrize("url", ["file://example.org{}", "file://deploy@localhost{}"])
def test_a_file_url_naming_another_host_is_refused(site: Path, tmp_path: Path, url: str) -> None:
    given = url.format(tmp_path / "www")
    result = publish(site, given)
    assert result.code == 2, result.err
    assert "file:///path" in result.err and len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "www").exists()

    config = site / "folio.toml"
    config.write_text(NO_SEARCH + f'\n[publish.live]\nurl = "{given}"\n', encoding="utf-8")
    configured = publish(site, "live")
    assert configured.code == 1
    assert "folio.toml:" in configured.err and "publish.live.url" in configured.err
    assert not (tmp_path / "www").exists()


@pytest.mark.parametrize("url", ["file://{}", "file://localhost{}", "FILE://LOCALHOST{}"])
def test_a_file_url_on_this_machine_publishes(site: Path, tmp_path: Path, url: str) -> None:
    result = publish(site, url.format(tmp_path / "www"))
    assert result.code == 0, result.err
    assert tree(tmp_path / "www") == tree(site / "output")


def test_a_target_that_is_a_link_to_a_folder_outside_the_site_publishes(
    site: Path, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "www").symlink_to(tmp_path / "real", target_is_directory=True)
    result = publish(site, tmp_path / "www", "--delete")
    assert result.code == 0, result.err
    assert tree(tmp_path / "real") == tree(site / "output")
