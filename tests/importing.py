"""Helpers for the `folio import` tests: import into a fresh site, read what was written, build."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup

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
    """Front matter of every Markdown file under content/ but the author profiles, by path
    under content/."""
    content = site / "content"
    return {
        path.relative_to(content).as_posix(): read_story(path)[0]
        for path in sorted(content.rglob("*.md")) if path.parent != content / "authors"
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


HTML_ON = "\n[markdown]\nhtml = true\n"
"""folio.toml's lines that let HTML bodies through, as the import report recommends."""

_PAGE_SCRIPTS = ("application/ld+json", "module")
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "srcset", "data")


def scripted_markup(html_text: str) -> list[str]:
    """What in a page could run a script an archive brought: script elements (not the theme's
    JSON-LD and search module), iframes, on* handlers, and links of a scripting scheme."""
    soup = BeautifulSoup(html_text, "html.parser")
    found = [
        f"<{tag.name}>" for tag in soup.find_all(["script", "iframe", "object", "embed"])
        if tag.name != "script" or tag.get("type") not in _PAGE_SCRIPTS
    ]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = value if isinstance(value, str) else " ".join(value)
            squeezed = re.sub(r"[\s\x00-\x1f]", "", text).lower()
            if name.lower().startswith("on"):
                found.append(f"{name} on <{tag.name}>")
            elif name in _URL_ATTRIBUTES and squeezed.startswith(_SCRIPT_SCHEMES):
                found.append(f"{name}={text!r} on <{tag.name}>")
    return found


_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def output_pages(site: Path) -> dict[str, str]:
    """Every built HTML page, by path under output/."""
    output = site / "output"
    return {
        path.relative_to(output).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(output.rglob("*.html"))
    }
