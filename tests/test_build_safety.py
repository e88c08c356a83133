"""A build that cannot finish says why in one line and leaves output/ as it was;
no process of a build outlives it; two builds of one site never run at once.

Each test makes the failure for real: a file size limit (`ulimit -f`), a full
file system (a small tmpfs, mounted as root), a SIGKILL, a second build.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.engine.search_index import verify_search_index

from conftest import NOW, REPO, article, make_site, photo_bytes, tree

STORIES = 40


def folio(site: Path, *extra: str, env: dict[str, str] | None = None,
          limit_kb: int | None = None) -> subprocess.CompletedProcess[str]:
    """`folio build` in a child process, as a user runs it."""
    def limit() -> None:
        if limit_kb is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_kb * 1024, limit_kb * 1024))

    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
         "--quiet", *extra],
        capture_output=True, text=True, cwd=REPO, env=env, preexec_fn=limit, check=False,
    )


def news_site(root: Path, stories: int = STORIES) -> Path:
    files: dict[str, str | bytes] = {
        f"2020/story-{i:03}.md": article(
            f"Paragraph {i} about the harbour and the council.\n\n" * 20,
            title=f"Council story number {i}", tags=["Harbour", f"Topic {i % 7}"],
            date=f"2020-05-{1 + i % 28:02}T09:{i % 60:02}:00-04:00",
        )
        for i in range(stories)
    }
    files["2020/photo.jpg"] = photo_bytes(400, 300)
    files["2020/with-photo.md"] = article("A story with a photo.", title="Photo story",
                                          photo={"src": "2020/photo.jpg", "alt": "A harbour"})
    return make_site(root, files)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def edit_one_story(site: Path) -> None:
    story = site / "content/2020/story-007.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "Paragraph 7", "Paragraph seven, corrected"), encoding="utf-8")


# Pagefind -------------------------------------------------------------------------


@pytest.mark.parametrize("limit_kb", [8, 64, 165])
def test_a_file_size_limit_during_the_search_step_fails_the_build(
    tmp_path: Path, limit_kb: int
) -> None:
    site = news_site(tmp_path / "site")
    assert folio(site).returncode == 0
    before = tree(site / "output")
    edit_one_story(site)
    line = one_line_error(folio(site, limit_kb=limit_kb))
    assert any(why in line for why in ("SIGXFSZ", "File too large", "disk I/O error")), line
    assert tree(site / "output") == before
    again = folio(site)  # the limit lifted: the next build redoes the work, all of it
    assert again.returncode == 0, again.stderr
    assert "Nothing changed" not in again.stdout
    assert b"Paragraph seven, corrected" in (
        site / "output/2020/05/08/story-007/index.html").read_bytes()


def test_every_damaged_file_of_a_search_index_is_found(tmp_path: Path) -> None:
    site = news_site(tmp_path / "site", stories=5)
    assert folio(site).returncode == 0
    good = site / "output/pagefind/2020"
    reference = tmp_path / "reference"
    shutil.copytree(good, reference)
    verify_search_index(good, reference)  # the index as built passes
    names = sorted(p.relative_to(good).as_posix() for p in good.rglob("*") if p.is_file())
    assert len(names) > 10
    for name in names:
        damaged = tmp_path / "damaged" / name
        shutil.copytree(good, tmp_path / "damaged")
        data = damaged.read_bytes()
        damaged.write_bytes(data[: len(data) * 2 // 3])
        with pytest.raises(Exception, match="Pagefind failed") as caught:
            verify_search_index(tmp_path / "damaged", reference)
        assert name in str(caught.value)
        shutil.rmtree(tmp_path / "damaged")


# A full disk --------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 4 MiB: the site fits, a second tree of it does not."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave_kb: int) -> None:
    """Fill `disk` until `leave_kb` KiB are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize - leave_kb * 1024
    if free > 0:
        (disk / "ballast").write_bytes(b"\0" * free)


@pytest.mark.parametrize("leave_kb", [0, 40, 200, 600])
def test_a_full_disk_fails_the_build_in_one_line_and_keeps_output(
    small_disk: Path, leave_kb: int
) -> None:
    site = news_site(small_disk / "site", stories=12)
    assert folio(site, "--jobs", "1").returncode == 0
    before = tree(site / "output")
    content = tree(site / "content")
    edit_one_story(site)
    (site / "folio.toml").write_text(
        (site / "folio.toml").read_text() + 'description = "Every page changes"\n')
    fill(small_disk, leave_kb)
    result = folio(site, "--jobs", "1")
    if result.returncode == 0:  # it fitted: then it is the whole new site
        (small_disk / "ballast").unlink()
        assert folio(site, "--jobs", "1", "--output", str(small_disk / "clean"),
                     "--clean").returncode == 0
        assert tree(site / "output") == tree(small_disk / "clean")
        return
    line = one_line_error(result)
    assert any(why in line for why in ("No space left on device", "disk is full",
                                       "damaged file")), line
    assert tree(site / "output") == before
    (small_disk / "ballast").unlink()
    assert folio(site, "--jobs", "1").returncode == 0
    assert b"Paragraph seven, corrected" in (
        site / "output/2020/05/08/story-007/index.html").read_bytes()
    assert tree(site / "content") == {**content, **{
        "2020/story-007.md": (site / "content/2020/story-007.md").read_bytes()}}


# Processes ---------------------------------------------------------------------------


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment carries `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_no_process_of_a_killed_build_lives_on(tmp_path: Path) -> None:
    site = news_site(tmp_path / "site", stories=400)
    marker = f"FOLIO_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
         "--quiet", "--jobs", "2"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(processes_with(marker)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the build and its two workers
    assert len(processes_with(marker)) >= 3, "the workers never started"
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path: Path) -> None:
    site = news_site(tmp_path / "site", stories=300)
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
               "--jobs", "1"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    lock = site / ".folio-cache/build.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    _, first_err = first.communicate()
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert f"another build of this site is running (process {first.pid})" in second.stderr
    assert "Nothing changed" in second.stdout  # it ran after the first, not beside it
    assert folio(site, "--output", str(tmp_path / "clean"), "--clean").returncode == 0
    assert tree(site / "output") == tree(tmp_path / "clean")


# Folders the build may not change ---------------------------------------------------


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Folders made immutable (chattr +i: even root may not change them), freed after."""
    made: list[Path] = []
    yield made
    for folder in made:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.parametrize("folder", ["output", ".output.previous", ".", ".folio-cache"])
def test_a_folder_that_cannot_be_changed_fails_the_build_in_one_line(
    tmp_path: Path, immutable: list[Path], folder: str
) -> None:
    site = news_site(tmp_path / "site", stories=8)
    assert folio(site).returncode == 0
    (site / "content/2020/story-001.md").unlink()
    assert folio(site).returncode == 0  # both trees exist
    edit_one_story(site)
    before = tree(site / "output")
    subprocess.run(["chattr", "+i", str(site / folder)], check=True)
    immutable.append(site / folder)
    line = one_line_error(folio(site))
    assert "Operation not permitted" in line or "unable to open database" in line, line
    assert tree(site / "output") == before
    subprocess.run(["chattr", "-i", str(site / folder)], check=True)
    assert folio(site).returncode == 0
    assert folio(site, "--output", str(tmp_path / "clean"), "--clean").returncode == 0
    assert tree(site / "output") == tree(tmp_path / "clean")
