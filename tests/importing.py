"""Helpers for the `folio import` tests: import into a fresh site, read what was written, build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from conftest import Result, build, make_site, run_folio, tree

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def fresh_site(root: Path) -> Path:
    """A site with the test configuration (America/New_York) and an empty content/."""
    return make_site(root, {})


def folio_import(site: Path, kind: str, *args: str | Path) -> Result:
    return run_folio("import", kind, *args, "--site", site)


def read_story(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter (as yaml.safe_load reads it, dates as datetimes) and body of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    meta_text, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(meta_text)
    assert isinstance(meta, dict)
    return meta, body


def stories(site: Path) -> dict[str, dict[str, Any]]:
    """Front matter of every Markdown file under content/, by path under content/."""
    content = site / "content"
    return {
        path.relative_to(content).as_posix(): read_story(path)[0]
        for path in sorted(content.rglob("*.md"))
    }


def by_title(site: Path) -> dict[str, dict[str, Any]]:
    return {meta["title"]: meta for meta in stories(site).values()}


def built_articles(site: Path) -> int:
    """Build with drafts as the tests do; the number of article pages written."""
    result = build(site, "--drafts")
    assert result.code == 0, result.err
    assert "rror" not in result.err, result.err
    output = site / "output"
    return sum(
        'class="story"' in page.read_text(encoding="utf-8") for page in output.rglob("*.html")
    )


def content_tree(site: Path) -> dict[str, bytes]:
    return tree(site / "content")


def summary(result: Result) -> str:
    """The last line of an import's report."""
    return result.out.strip().splitlines()[-1]
