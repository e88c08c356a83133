"""Every page Folio writes is valid HTML: the Nu HTML Checker (vnu-jar, pinned in
package.json) over every page of the example site and of the ~200-article fixture
site, with the site's own CSS, in one Java run per site (the checker is slow to start).
A deliberately broken page rides along in each run, to prove the checker looked."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import describe_messages, validate_html
from conftest import REPO, build
from fixture_site import write_fixture_site

pytestmark = pytest.mark.slow

BROKEN = "<!DOCTYPE html>\n<html lang=en>\n<title>Broken</title>\n<p><div></p>\n"


def assert_valid(output: Path, control: Path) -> None:
    pages = sorted(output.rglob("*.html"))
    stylesheets = sorted((output / "css").glob("*.css"))
    assert pages and stylesheets
    control.write_text(BROKEN, encoding="utf-8")
    messages = validate_html([control, *pages, *stylesheets])
    caught = [m for m in messages if m.get("url", "").endswith(control.name)]
    assert caught, "the checker found nothing wrong with a broken page"
    errors = [m for m in messages if m not in caught]
    assert not errors, (
        f"{len(errors)} HTML errors in {output}:\n" + describe_messages(errors, output)
    )


def test_every_page_of_the_example_site_is_valid(tmp_path: Path) -> None:
    output = tmp_path / "output"
    result = build(REPO, "--output", output)
    assert result.code == 0, result.err
    for page in ("index.html", "404.html", "search/index.html", "archive/index.html"):
        assert (output / page).is_file(), page
    assert_valid(output, tmp_path / "control.html")


def test_every_page_of_the_fixture_site_is_valid(tmp_path: Path) -> None:
    metas = write_fixture_site(tmp_path / "site")
    output = tmp_path / "output"
    result = build(tmp_path / "site", "--output", output)
    assert result.code == 0, result.err
    assert len(list(output.rglob("*.html"))) > len(metas)
    assert_valid(output, tmp_path / "control.html")
