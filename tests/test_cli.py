"""The `folio` command line: help, exit codes, `new`, `check`, progress and summary."""

from __future__ import annotations

import gc
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import generator.engine.build

from conftest import NOW, article, build, run_folio

SiteFactory = Callable[..., Path]


@pytest.mark.parametrize("command", ["build", "check", "new"])
def test_every_command_has_help(command: str) -> None:
    result = run_folio(command, "--help")
    assert result.code == 0
    assert "--site" in result.out


def test_console_script_is_installed() -> None:
    folio = Path(sys.executable).parent / "folio"
    result = subprocess.run([folio, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "build" in result.stdout and "check" in result.stdout and "new" in result.stdout


@pytest.mark.parametrize("args", [
    ["build", "--no-such-flag"],
    ["frobnicate"],
    ["build", "--now", "last tuesday"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run_folio(*args).code == 2


def test_missing_site_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_folio("build", "--site", tmp_path / "nowhere")
    assert result.code == 2
    assert "does not exist" in result.err


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_folder_without_config_says_how_to_start_one(tmp_path: Path, command: str) -> None:
    result = run_folio(command, "--site", tmp_path)
    assert result.code == 2
    assert f"no folio.toml in {tmp_path} — run `folio init {tmp_path}` to start a site" in (
        result.err)


def test_build_prints_one_summary_line(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article(), "b.md": article(title="B")})
    result = run_folio("build", "--site", site, "--now", NOW)
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Built 2 articles into ")
    assert " s" in lines[0]


def test_quiet_build_prints_nothing(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article()})
    result = build(site)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_build_runs_without_the_cycle_collector_and_turns_it_back_on(
    site_factory: SiteFactory,
) -> None:
    """The collector only slows a build down (see cli._no_cycle_collection). A program
    that runs `folio build` in its own process, as this test does, gets it back on,
    after a failed build too."""
    stories = {f"{n}.md": article("Words and more words. " * 300, title=f"Story {n}")
               for n in range(30)}
    good = site_factory(stories)
    bad = site_factory({**stories, "bad.md": article(date="yesterday-ish")})
    building = generator.engine.build.build.__code__
    during_builds: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe(1) if phase == "start" else None
        while frame is not None and frame.f_code is not building:
            frame = frame.f_back
        if frame is not None:
            during_builds.append(info["generation"])

    gc.callbacks.append(note)
    try:
        results = [build(good, "--jobs", "1"), build(bad, "--jobs", "1")]
    finally:
        gc.callbacks.remove(note)
    assert [r.code for r in results] == [0, 1], results[1].err
    assert "content/bad.md" in results[1].err
    assert during_builds == []
    assert gc.isenabled()


def test_progress_bar_only_on_a_terminal(site_factory: SiteFactory) -> None:
    site = site_factory({f"s{i}.md": article(title=f"Story {i}") for i in range(30)})
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW]
    piped = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert "Rendering" not in piped.stderr
    assert _run_in_terminal([*command, "--clean"], env).count("Rendering") >= 1


def _run_in_terminal(command: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, output
    return output.decode("utf-8", "replace")


def test_check_reports_errors_and_writes_nothing(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article(date="yesterday"), "b.md": article(title=None)})
    result = run_folio("check", "--site", site)
    assert result.code == 1
    assert "content/a.md" in result.err and "content/b.md" in result.err
    assert not (site / "output").exists()


def test_check_passes_on_good_content(site_factory: SiteFactory) -> None:
    site = site_factory({"a.md": article()})
    result = run_folio("check", "--site", site, "--now", NOW)
    assert result.code == 0
    assert result.out.startswith("OK: 1 article, ")
    assert not (site / "output").exists()


def test_new_writes_a_draft_that_builds(site_factory: SiteFactory) -> None:
    site = site_factory({})
    result = run_folio("new", "Council Votes: Budget «Passed»", "--section", "Politics",
                       "--site", site, "--now", "2026-11-27T15:04:00+00:00")
    assert result.code == 0, result.err
    path = site / "content" / "2026" / "council-votes-budget-passed.md"
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert meta["title"] == "Council Votes: Budget «Passed»"
    assert meta["section"] == "Politics"
    assert meta["date"] == "2026-11-27T10:04:00-05:00"  # site timezone: America/New_York
    assert meta["draft"] is True
    assert run_folio("check", "--site", site, "--drafts", "--now", NOW).code == 0


def test_new_in_another_language_writes_beside_and_builds_under_it(
        site_factory: SiteFactory) -> None:
    site = site_factory({})
    now = ("--now", "2026-11-27T15:04:00+00:00")
    assert run_folio("new", "Budget passed", "--site", site, *now).code == 0
    result = run_folio("new", "Budget passed", "--language", "fr", "--site", site, *now)
    assert result.code == 0, result.err
    path = site / "content" / "2026" / "budget-passed.fr.md"
    assert yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["language"] == "fr"
    built = run_folio("build", "--site", site, "--drafts", "--future", "--quiet")
    assert built.code == 0, built.err
    day = site / "output" / "fr" / "2026" / "11" / "27"
    assert (day / "budget-passed" / "index.html").is_file()
    bad = run_folio("new", "Budget", "--language", "not a tag", "--site", site, *now)
    assert bad.code == 2 and "--language: expected a BCP 47 language tag" in bad.err


def test_new_refuses_to_overwrite(site_factory: SiteFactory) -> None:
    site = site_factory({"2026/budget-passed.md": "keep me"})
    result = run_folio("new", "Budget passed", "--site", site, "--now", "2026-11-27T15:04:00Z")
    assert result.code == 1
    assert "already exists" in result.err
    assert (site / "content" / "2026" / "budget-passed.md").read_text() == "keep me"


@pytest.mark.parametrize(("config", "message"), [
    ('title = "T"\n', "base_url: is required"),
    ('title = "T"\nbase_url = "example.org"\n', "base_url: expected an absolute http(s) URL"),
    ('title = "T"\nbase_url = "https://e.x/"\nper_page = "ten"\n', "folio.toml:3: per_page"),
    ('title = "T"\nbase_url = "https://e.x/"\ntimezone = "Mars/Olympus"\n', "timezone"),
    ('title = "T"\nbase_url = "https://e.x/"\npermalink = "/{year}/"\n', "{slug}"),
    ('title = "T"\nbase_url = "https://e.x/"\ntitel = "typo"\n', "folio.toml:3: titel: unknown"),
    ('title = "T"\nbase_url = "https://e.x/"\n[markdown]\nhtml = "yes"\n', "markdown.html"),
    ('title = = "T"\n', "not valid TOML"),
])
def test_config_errors_name_the_key(
    site_factory: SiteFactory, config: str, message: str
) -> None:
    site = site_factory({"a.md": article()}, config=config)
    result = build(site)
    assert result.code == 1
    assert message in result.err



@pytest.mark.parametrize("epoch", [
    "99999999999999",  # past the year 9999
    "9" * 5000,  # more digits than int() reads
    "-1",
    "1.5e9",
    "yesterday",
    "²",  # a digit to str.isdigit, not to int()
    "",
])
def test_a_bad_source_date_epoch_is_a_one_line_usage_error(
    site_factory: SiteFactory, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    site = site_factory({"a.md": article()})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = run_folio("build", "--site", site, "--quiet")
    assert result.code == 2, result.err
    assert result.err.startswith("Error: SOURCE_DATE_EPOCH: expected whole seconds since 1970")
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("epoch", ["0", "253402300799"])  # 1970, and the last second of 9999
def test_source_date_epoch_at_the_ends_of_its_range_builds(
    site_factory: SiteFactory, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    site = site_factory({"a.md": article()})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = run_folio("build", "--site", site, "--quiet", "--future")
    assert result.code == 0, result.err
    assert (site / "output" / "2020" / "05" / "01" / "a" / "index.html").is_file()
