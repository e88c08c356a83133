"""The corrections page, its feed and sitemap entry, and why an edit that adds a
correction can never leave them stale: corrections are in `ArticleHead`, whose
digest is the article's shape.

The order is written out by hand: newest correction first; on one day, the newer
story's first, then by file id, and the later of one story's corrections first.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from array import array
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from generator.engine.cache import Cache, SavedPlan, Store
from generator.engine.pipeline import plan_site
from generator.site.archive import RelatedArticles
from generator.site.config import load_config
from generator.site.loaded import LoadedFile, shape
from generator.site.model import Article, ArticleHead, Correction, Photo, RelatedLink
from generator.site.render import site_infos
from generator.site.sources import FileFacts

from conftest import NOW, REPO, article, build, make_site, run_folio, tree
from fixture_site import write_fixture_site

BASE = "https://gazette.example.org"
CONFIG = """\
title = "Test Gazette"
base_url = "https://gazette.example.org/"
timezone = "America/New_York"
per_page = 5
feed_size = 4
"""


def fix(day: str, text: str) -> dict[str, str]:
    return {"date": day, "text": text}


STORIES = {
    "alpha.md": article(title="Alpha story", date="2021-01-05T09:00:00+00:00", corrections=[
        fix("2021-02-01", "Alpha first fix."), fix("2021-03-01", "Alpha second fix.")]),
    "bravo.md": article(title="Bravo story", date="2021-01-07T09:00:00+00:00",
                        corrections=[fix("2021-03-01", "Bravo fix.")]),
    "charlie.md": article(title="Charlie story", date="2021-01-07T09:00:00+00:00",
                          corrections=[fix("2021-03-01", "Charlie fix.")]),
    "delta.md": article(title="Delta story", date="2021-01-09T09:00:00+00:00"),
    "echo.md": article(title="Echo story", date="2021-01-03T09:00:00+00:00", corrections=[
        fix("2021-04-01", "Echo morning fix."), fix("2021-04-01", "Echo evening fix.")]),
    "foxtrot.md": article(title="Foxtrot draft", date="2021-01-08T09:00:00+00:00", draft=True,
                          corrections=[fix("2021-05-01", "Draft fix.")]),
}
# (headline, story URL, correction date, shown date, text, number of the correction)
EXPECTED = [
    ("Echo story", "/2021/01/03/echo/", "2021-04-01", "April 1, 2021", "Echo evening fix.", 2),
    ("Echo story", "/2021/01/03/echo/", "2021-04-01", "April 1, 2021", "Echo morning fix.", 1),
    ("Bravo story", "/2021/01/07/bravo/", "2021-03-01", "March 1, 2021", "Bravo fix.", 1),
    ("Charlie story", "/2021/01/07/charlie/", "2021-03-01", "March 1, 2021", "Charlie fix.", 1),
    ("Alpha story", "/2021/01/05/alpha/", "2021-03-01", "March 1, 2021", "Alpha second fix.", 2),
    ("Alpha story", "/2021/01/05/alpha/", "2021-02-01", "Feb. 1, 2021", "Alpha first fix.",
     1),
]


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("corrections") / "site", STORIES, CONFIG)
    result = build(site)
    assert result.code == 0, result.err
    return site / "output"


def soup(output: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((output / url.strip("/") / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def listed(page: BeautifulSoup) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for item in page.select("main ul.correction-list > li"):
        link, when = item.select_one("h2 a"), item.select_one("p.meta time")
        text = item.select_one("p.correction-text")
        assert link is not None and when is not None and text is not None
        shown = when.get_text()
        assert item.select_one("p.meta").get_text() == f"Corrected {shown}"  # type: ignore[union-attr]
        rows.append((link.get_text(), str(link["href"]), str(when["datetime"]), shown,
                     " ".join(text.get_text(" ").split())))
    return rows


def test_the_page_lists_every_correction_newest_first_in_pages(output: Path) -> None:
    """Numbered pages count from the oldest correction (stable pagination): page 1
    holds the oldest five, the front page the newest five."""
    front, oldest = soup(output, "/corrections/"), soup(output, "/corrections/page/1/")
    want = [row[:5] for row in EXPECTED]
    assert (listed(front), listed(oldest)) == (want[:5], want[1:])
    assert front.h1 is not None and front.h1.get_text() == "Corrections"
    assert "6 corrections" in front.select_one("p.count").get_text()  # type: ignore[union-attr]
    assert front.select_one("a[rel=next]")["href"] == "/corrections/page/1/"  # type: ignore[index]
    assert oldest.select_one("a[rel=prev]")["href"] == "/corrections/"  # type: ignore[index]
    assert oldest.select_one("a[rel=next]") is None
    assert not (output / "corrections" / "page" / "2").exists()


def test_every_headline_links_to_a_written_story(output: Path) -> None:
    for _, url, *_ in EXPECTED:
        assert (output / url.strip("/") / "index.html").is_file(), url
    draft_pages = [p for p in output.rglob("index.html") if "Draft fix." in p.read_text("utf-8")]
    assert draft_pages == []


def test_the_footer_links_the_page_on_every_page(output: Path) -> None:
    for url in ("/", "/2021/01/09/delta/", "/corrections/", "/tags/"):
        footer = soup(output, url).select_one("footer.site-footer")
        assert footer is not None
        assert [a["href"] for a in footer.select("a")][-1] == "/corrections/", url
    assert soup(output, "/corrections/").select_one(
        'link[rel=alternate][href="/corrections/feed.xml"]') is not None


def test_the_feed_has_an_entry_per_correction_newest_first(output: Path) -> None:
    data = (output / "corrections" / "feed.xml").read_bytes()
    schema = etree.RelaxNG(etree.parse(str(REPO / "tests" / "schemas" / "atom.rng")))
    assert schema.validate(etree.fromstring(data).getroottree()), schema.error_log
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Test Gazette: Corrections"
    assert parsed.feed.link == BASE + "/corrections/"
    assert parsed.feed.updated == "2021-04-01T00:00:00+00:00"
    wanted = EXPECTED[:4]  # feed_size
    assert [e.id for e in parsed.entries] == [
        f"{BASE}{url}#correction-{number}" for _, url, *_, number in wanted]
    assert [e.link for e in parsed.entries] == [BASE + url for _, url, *_ in wanted]
    assert [e.title for e in parsed.entries] == [f"Correction: {t}" for t, *_ in wanted]
    assert [e.summary for e in parsed.entries] == [row[4] for row in wanted]
    assert [e.updated for e in parsed.entries] == [f"{row[2]}T00:00:00+00:00" for row in wanted]


def sitemap(output: Path) -> dict[str, str]:
    root = etree.parse(str(output / "sitemap.xml")).getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return {urlsplit(u.findtext(f"{ns}loc") or "").path: u.findtext(f"{ns}lastmod") or ""
            for u in root.iter(f"{ns}url")}


def test_the_sitemap_dates_each_page_by_its_newest_correction(output: Path) -> None:
    entries = sitemap(output)
    assert entries["/corrections/"] == "2021-04-01T00:00:00+00:00"
    assert entries["/corrections/page/1/"] == "2021-04-01T00:00:00+00:00"  # Echo's morning fix
    assert "/corrections/feed.xml" not in entries


def test_a_site_without_corrections_has_no_page_feed_or_link(tmp_path: Path) -> None:
    stories = {"delta.md": STORIES["delta.md"],
               "foxtrot.md": STORIES["foxtrot.md"]}  # a draft's correction is not published
    site = make_site(tmp_path / "site", stories, CONFIG)
    assert build(site).code == 0
    output = site / "output"
    assert not (output / "corrections").exists()
    assert "/corrections/" not in sitemap(output)
    for page in output.rglob("*.html"):
        assert "/corrections/" not in page.read_text(encoding="utf-8"), page


# Incremental builds: adding or removing a correction is seen by the next build, in
# one process and with workers (over 32 pages are sent to them), as a clean build sees it.

def build_with(site: Path, jobs: int) -> None:
    if jobs == 1:
        result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
        assert result.code == 0, result.err
        return
    # A process of its own, so workers are forked as users' builds fork them.
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--now", NOW,
               "--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "rendered" in done.stdout + done.stderr


def assert_same_as_clean_build(site: Path, clean: Path) -> None:
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    assert run_folio("build", "--site", clean, "--now", NOW, "--jobs", "1").code == 0
    assert tree(site / "output") == tree(clean / "output")


LATE = "\ncorrections:\n- date: '2026-11-20'\n  text: A late correction.\nbyline:"


@pytest.mark.parametrize("jobs", [1, 2])
def test_adding_then_removing_a_correction_is_seen_by_the_next_build(
    tmp_path: Path, jobs: int
) -> None:
    site = tmp_path / "site"
    write_fixture_site(site, 60)
    story = sorted((site / "content").rglob("*.md"))[0]
    original = story.read_text(encoding="utf-8")
    assert "corrections:" not in original and "\nbyline:" in original
    build_with(site, jobs)
    assert "A late correction." not in (site / "output/corrections/index.html").read_text()

    story.write_text(original.replace("\nbyline:", LATE, 1), encoding="utf-8")
    build_with(site, jobs)
    page = soup(site / "output", "/corrections/")
    first = page.select_one("main ul.correction-list > li")
    assert first is not None and "A late correction." in first.get_text()
    assert "A late correction." in (site / "output/corrections/feed.xml").read_text()
    assert_same_as_clean_build(site, tmp_path / "clean")

    story.write_text(original, encoding="utf-8")
    build_with(site, jobs)
    assert "A late correction." not in (site / "output/corrections/index.html").read_text()
    assert_same_as_clean_build(site, tmp_path / "clean")


# Shape: the digest of the head, and nothing else.

HEAD = ArticleHead(
    id="a.md", slug="a", url="/a/", title="A", bylines=("Jane",),
    date=datetime(2021, 1, 5, 9, tzinfo=UTC), section="News",
    updated=datetime(2021, 1, 6, 9, tzinfo=UTC), tags=("Oil",),
    photo=Photo("/p.jpg", "alt", "caption", "credit"),
    related=(RelatedLink("b", None, None),), draft=False, aliases=("/old-a/",),
    corrections=(Correction(date(2021, 2, 1), "Fixed."),),
)
OTHER: dict[str, Any] = {
    "id": "b.md", "slug": "b", "url": "/b/", "title": "B", "bylines": ("Jane", "Li"),
    "date": datetime(2021, 1, 5, 10, tzinfo=UTC), "section": "World",
    "updated": None, "tags": ("Oil", "Gas"), "photo": None,
    "related": (), "draft": True, "aliases": (),
    "corrections": (Correction(date(2021, 2, 1), "Fixed."), Correction(date(2021, 3, 1), "Again.")),
    "date_only": True, "standalone": True, "menu": 1, "featured": True,
    "language": "fr", "translation_key": "syria-talks",
}


def test_every_head_field_changes_the_shape() -> None:
    assert set(OTHER) == {f.name for f in fields(ArticleHead)}, "a head field has no test value"
    for name, value in OTHER.items():
        assert shape(replace(HEAD, **{name: value}), ()) != shape(HEAD, ()), name
    assert shape(HEAD, ()) == shape(replace(HEAD), ())
    assert shape(HEAD, (("/p.jpg", None),)) != shape(HEAD, ())


def test_a_body_or_dek_edit_keeps_the_shape_and_a_correction_moves_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"a.md": article("First body.", dek="A dek.")}, CONFIG)
    path = site / "content" / "a.md"

    def loaded_shape() -> str:
        return plan_site(load_config(site)).files["a.md"].shape

    before = loaded_shape()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("First body.", "Another body.").replace("A dek.", "New dek."),
                    encoding="utf-8")
    assert loaded_shape() == before
    path.write_text(text.replace("\nbyline:", LATE, 1), encoding="utf-8")
    assert loaded_shape() != before


def test_the_saved_plan_keeps_every_field_and_the_related_articles(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", STORIES, CONFIG)
    config = load_config(site)
    index = plan_site(config).index
    info = site_infos(config, index)
    assert info[""].corrections and info[""].sections
    assert index.related_known != RelatedArticles("", {})
    uses = tuple(array("I", [n]).tobytes() for n, _ in enumerate(index.newest_first))
    plan = SavedPlan("t", info, index.newest_first, 2, array("Q", [0, 5]).tobytes(),
                     {"a.md": "shape"}, uses, {"2020": ("2020/05/01/a/index.html",)})
    cache = Cache(tmp_path / "cache", [])
    cache.save_plan(plan, index.related_known)
    assert cache.plan("t") == plan
    assert cache.related_known("t") == index.related_known
    assert cache.plan("other") is None and cache.related_known("other") is None


def test_the_store_gives_back_every_field_of_an_article(tmp_path: Path) -> None:
    """A head field the store's records forgot would come back as its default."""
    head = replace(HEAD, draft=True, date_only=True, standalone=True, menu=2,
                   featured=True, language="fr",
                   translation_key="k")  # every field away from its default
    assert all(getattr(head, f.name) != f.default for f in fields(ArticleHead))
    whole = Article(head, "digest", "Summary.", "Dek.", "Kicker", {"x": 1}, {"title": 2})
    loaded = LoadedFile(FileFacts(1, 2, 3), (), whole, (), "content", "digest", "shape")
    store = Store(tmp_path / "store.sqlite")
    store.save_sources({"a.md": loaded}, 0)
    [(_, back)] = store.loaded(["a.md"])
    assert back.article == whole and back.article.lines == whole.lines
    store.close()
