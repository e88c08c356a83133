"""The documentation: docs/configuration.md matches the schema, every relative link resolves."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from itertools import takewhile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt

from generator.config_doc import render
from generator.site.config import load_config
from generator.site.errors import ContentErrors

from conftest import REPO, run_folio

CONFIGURATION = REPO / "docs" / "configuration.md"
LINKED_PAGES = [
    REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "bench" / "RESULTS.md"
]
MINIMAL = 'title = "Gazette"\nbase_url = "https://gazette.example.org/"\n'
# One target URL of each kind, as docs/configuration.md names the kinds.
TARGET_URLS = {
    "directory": "../www",
    "rsync": "ssh://deploy@example.org/srv/www",
    "git": "git+ssh://git@github.com/newsroom/archive.git",
    "s3": "s3://news-archive/site",
}


def test_configuration_page_is_what_make_docs_writes() -> None:
    assert CONFIGURATION.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is out of date: run `make docs`"
    )


def test_the_module_prints_the_page() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "generator.config_doc"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    assert printed.stdout == CONFIGURATION.read_text(encoding="utf-8")


def test_the_page_documents_exactly_the_settings_folio_toml_accepts(tmp_path: Path) -> None:
    result = _check(tmp_path, MINIMAL + "no_such_setting = 1\n")
    assert result.code == 1
    known = re.search(r"known settings are ([\w, ]+)", result.err)
    assert known, result.err
    documented = {_internal_name(row["key"]) for row in _site_rows()}
    assert documented == set(known.group(1).split(", "))


def test_documented_defaults_are_the_defaults(tmp_path: Path) -> None:
    rows = [row for row in _site_rows() if row["default"].startswith("`")]
    assert len(rows) > 10
    explicit = MINIMAL + "".join(_toml_line(row) for row in rows if "]" not in row["key"])
    for row in rows:
        if table := re.fullmatch(r"`\[(\w+)\] (\w+)`", row["key"]):
            explicit += f"[{table[1]}]\n{table[2]} = {_value(row)}\n"
    implicit = _config(tmp_path / "implicit", MINIMAL)
    assert _config(tmp_path / "explicit", explicit) == implicit
    unset = [_internal_name(row["key"]) for row in _site_rows() if row["default"] == "none"]
    assert unset
    assert all(getattr(implicit, name) in ("", ()) for name in unset)


def test_documented_required_settings_are_required(tmp_path: Path) -> None:
    required = [row["key"].strip("`") for row in _site_rows() if row["default"] == "required"]
    assert required == ["title", "base_url"]
    result = _check(tmp_path, 'description = "no title, no address"\n')
    assert result.code == 1
    assert "folio.toml: title: is required" in result.err
    assert "folio.toml: base_url: is required" in result.err


def test_the_page_documents_exactly_the_publish_keys(tmp_path: Path) -> None:
    result = _check(tmp_path, MINIMAL + '[publish.live]\nurl = "../www"\nno_such_key = 1\n')
    assert result.code == 1
    known = re.search(r"known settings are ([\w, ]+)", result.err)
    assert known, result.err
    documented = {row["key"].strip("`") for row in _target_rows()}
    assert documented == set(known.group(1).split(", "))


@pytest.mark.parametrize("kind", sorted(TARGET_URLS))
def test_documented_publish_defaults_are_the_defaults(tmp_path: Path, kind: str) -> None:
    keys = [row for row in _target_rows()
            if row["default"].startswith("`") and _applies(row, kind)]
    url_only = f'[publish.live]\nurl = "{TARGET_URLS[kind]}"\n'
    explicit = url_only + "".join(_toml_line(row) for row in keys)
    (target,) = _config(tmp_path / "explicit", MINIMAL + explicit).publish
    (implicit,) = _config(tmp_path / "implicit", MINIMAL + url_only).publish
    assert target == implicit


@pytest.mark.parametrize("kind", sorted(TARGET_URLS))
def test_keys_documented_for_other_targets_are_refused(tmp_path: Path, kind: str) -> None:
    misplaced = [row for row in _target_rows() if not _applies(row, kind)]
    assert misplaced, f"every key applies to {kind} targets"
    for row in misplaced:
        table = f'[publish.live]\nurl = "{TARGET_URLS[kind]}"\n{_toml_line(row)}'
        result = _check(tmp_path / row["key"].strip("`"), MINIMAL + table)
        assert result.code == 1
        assert f"publish.live.{row['key'].strip('`')}: applies only to" in result.err


def test_the_publish_url_is_required(tmp_path: Path) -> None:
    (url,) = [row for row in _target_rows() if row["key"] == "`url`"]
    assert url["default"] == "required"
    result = _check(tmp_path, MINIMAL + "[publish.live]\ndelete = true\n")
    assert result.code == 1
    assert "publish.live.url: is required" in result.err


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_points_at_a_file(page: Path) -> None:
    missing = [target for target in _relative_links(page)
               if not (page.parent / target).exists()]
    assert not missing, f"{page.relative_to(REPO)} links to missing files: {missing}"


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    reached, to_visit = set(), [REPO / "README.md"]
    while to_visit:
        page = to_visit.pop()
        reached.add(page)
        linked = {(page.parent / target).resolve() for target in _relative_links(page)}
        to_visit += [p for p in linked - reached if p.suffix == ".md" and p.is_file()]
    pages = set((REPO / "docs").glob("*.md"))
    assert len(pages) >= 8
    assert pages <= reached, f"no link leads to {sorted(p.name for p in pages - reached)}"


def test_readme_and_bench_record_stay_short() -> None:
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 120
    assert len((REPO / "bench/RESULTS.md").read_text(encoding="utf-8").splitlines()) <= 60


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block[1].splitlines()]
    assert commands == ["make build", "make test"]


def _relative_links(page: Path) -> list[str]:
    """Paths of the links and images of a Markdown page that name no scheme or host."""
    parser = MarkdownIt("commonmark").enable("table")
    targets = []
    for token in parser.parse(page.read_text(encoding="utf-8")):
        for child in token.children or []:
            href = child.attrGet("href") if child.type == "link_open" else child.attrGet("src")
            parts = urlsplit(str(href or ""))
            if child.type in ("link_open", "image") and not parts.scheme and not parts.netloc:
                targets.append(unquote(parts.path))
    return [target for target in targets if target]


def _table_rows(heading: str) -> list[dict[str, str]]:
    """The rows of the first table after `heading` in docs/configuration.md, by column."""
    text = CONFIGURATION.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].splitlines()
    start = next(number for number, line in enumerate(section) if line.startswith("| "))
    header, _, *rows = takewhile(lambda line: line.startswith("| "), section[start:])
    columns = _cells(header)
    return [dict(zip(columns, _cells(row), strict=True)) for row in rows]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _site_rows() -> list[dict[str, str]]:
    return _table_rows("## Site settings")


def _target_rows() -> list[dict[str, str]]:
    return _table_rows("## Publish targets: `[publish.NAME]`")


def _internal_name(key: str) -> str:
    """`[markdown] html` is Config's markdown_html; `[publish.NAME]` its publish, and
    `[[menu]]` its menu."""
    key = key.strip("`")
    if table := re.fullmatch(r"\[(\w+)\] (\w+)", key):
        return f"{table[1]}_{table[2]}"
    return re.sub(r"^\[\[(\w+)\]\]$|^\[(\w+)\.NAME\]$", lambda m: m[1] or m[2], key)


def _applies(row: dict[str, str], kind: str) -> bool:
    return row["targets"] == "all" or kind in row["targets"].split(", ")


def _value(row: dict[str, str]) -> str:
    """The documented default as TOML, or a value of the documented type when it has none."""
    if row["default"].startswith("`"):
        return row["default"].strip("`")
    return {"string": '"example.org"', "boolean": "true", "integer": "1"}[row["type"]]


def _toml_line(row: dict[str, str]) -> str:
    line = f"{row['key'].strip('`')} = {_value(row)}\n"
    tomllib.loads(line)  # the documented default is valid TOML
    return line


def _config(site: Path, text: str) -> Any:
    site.mkdir(parents=True, exist_ok=True)
    (site / "folio.toml").write_text(text, encoding="utf-8")
    try:
        config = load_config(site)
    except ContentErrors as exc:
        pytest.fail(f"{text}\n{exc}")
    return replace(config, site_dir=Path(), output_dir=Path(), now=None)


def _check(site: Path, text: str) -> Any:
    site.mkdir(parents=True, exist_ok=True)
    (site / "folio.toml").write_text(text, encoding="utf-8")
    return run_folio("check", "--site", site)
