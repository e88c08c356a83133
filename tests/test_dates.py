"""Dates as readers of the site's language write them: AP style in English, CLDR's
long dates elsewhere, ISO on request; zone names where the zone is known."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, article, make_site, run_folio

STORY = "content/2015/quake.md"
NEW_YORK = """\
title = "Test Gazette"
base_url = "https://gazette.example.org/"
timezone = "America/New_York"
"""


def dateline(site: Path, date: str, config: str) -> str:
    make_site(site, {STORY: article(date=date, slug="quake")}, config)
    result = run_folio("build", "--site", site, "--jobs", "1", "--now", NOW, "--quiet")
    assert result.code == 0, result.err
    day = date[:10].replace("-", "/")
    html = (site / "output" / day / "quake" / "index.html").read_text("utf-8")
    time = BeautifulSoup(html, "html.parser").select_one(".dateline time")
    assert time is not None
    return " ".join(time.get_text().split())


@pytest.mark.parametrize(("date", "shown"), [
    ("2015-09-18T17:10:00-04:00", "Sept. 18, 2015, 5:10 p.m. EDT"),
    ("2015-03-02T09:00:00-05:00", "March 2, 2015, 9 a.m. EST"),
    ("2015-06-30T12:00:00-04:00", "June 30, 2015, noon EDT"),
    ("2015-12-01T00:00:00-05:00", "Dec. 1, 2015, midnight EST"),
    # Not the site's zone: the offset as written, never "UTC+03:00".
    ("2015-08-04T21:45:00+03:00", "Aug. 4, 2015, 9:45 p.m. UTC+3"),
    ("2015-01-05T07:05:00+05:30", "Jan. 5, 2015, 7:05 a.m. UTC+5:30"),
    ("2015-02-05T07:05:00-03:30", "Feb. 5, 2015, 7:05 a.m. UTC\u22123:30"),
])
def test_english_sites_write_ap_style(tmp_path: Path, date: str, shown: str) -> None:
    assert dateline(tmp_path, date, NEW_YORK) == shown


@pytest.mark.parametrize(("language", "zone", "shown"), [
    ("fr", "Europe/Paris", "18 septembre 2015, 17:10 CEST"),
    ("de-CH", "Europe/Zurich", "18. September 2015, 17:10 CEST"),
    ("pt-BR", "America/Sao_Paulo", "18 de setembro de 2015, 12:10 UTC\u22123"),
])
def test_other_languages_write_their_own_long_date(
    tmp_path: Path, language: str, zone: str, shown: str
) -> None:
    config = f'title = "T"\nbase_url = "https://t.example/"\nlanguage = "{language}"\n' \
             f'timezone = "{zone}"\n'
    date = {"fr": "2015-09-18T17:10:00+02:00", "de-CH": "2015-09-18T17:10:00+02:00",
            "pt-BR": "2015-09-18T12:10:00-03:00"}[language]
    assert dateline(tmp_path, date, config) == shown


def test_date_style_iso_and_long_override_the_language(tmp_path: Path) -> None:
    date = "2015-09-18T17:10:00-04:00"
    iso = dateline(tmp_path / "iso", date, NEW_YORK + 'date_style = "iso"\n')
    assert iso == "2015-09-18, 17:10 -04:00"
    long = dateline(tmp_path / "long", date, NEW_YORK + 'date_style = "long"\n')
    assert long == "September 18, 2015, 5:10 PM EDT"


def test_month_archives_spell_the_month_out(tmp_path: Path) -> None:
    dateline(tmp_path, "2015-09-18T17:10:00-04:00", NEW_YORK)
    html = (tmp_path / "output" / "2015" / "09" / "index.html").read_text("utf-8")
    assert "September 2015" in BeautifulSoup(html, "html.parser").h1.get_text()


def test_an_unknown_date_style_is_an_error_naming_the_choices(tmp_path: Path) -> None:
    make_site(tmp_path, {STORY: article()}, NEW_YORK + 'date_style = "AP"\n')
    result = run_folio("build", "--site", tmp_path, "--quiet")
    assert result.code != 0
    assert "folio.toml" in result.err and "date_style" in result.err
    assert "expected one of auto, ap, long, iso, got 'AP'" in result.err
