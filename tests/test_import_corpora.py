"""End to end on excerpts of real archives (tests/fixtures/corpora/, see its README):
import from the folder as it is, follow the report's advice, build with no hand edit,
and no page shows template code to a reader."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build
from importing import folio_import, fresh_site, output_pages, read_story, summary

CORPORA = Path(__file__).resolve().parent / "fixtures" / "corpora"
RAW_TEMPLATE = re.compile(r'\{\{<|\{\{%|\{%|\[caption|\[gallery|\{\{ "')
"""What a page must not show: Hugo shortcodes, Liquid/Nunjucks tags, WordPress shortcodes."""


@dataclass(frozen=True)
class Corpus:
    format: str
    source: str
    outside: tuple[str, ...]
    """Paths of the old site that the excerpt does not hold (assets, other pages, posts left
    out of the excerpt): `[links] outside`."""
    summary: str
    root: bool = True
    """`source` is the old site's root or an export, where every old URL is known."""


CORPORA_CASES = {
    "18f-eleventy": Corpus(
        "eleventy", "18f-eleventy",
        ("/assets/", "/about/", "/contact/", "/news/", "/consulting/",
         "/2015/03/20/one-year-in-and-looking-forward/",
         "/2015/05/11/moveforward/", "/2014/09/25/design-studio-onrr/",
         "/2015/01/06/protosketch/", "/2015/03/13/how-to-protosketch/",
         "/2015/03/19/how-we-built-analytics-usa-gov/"),
        "8 imported, 0 unchanged, 0 skipped, 0 failed.",  # content/ only: a site root
    ),
    "digital-canada-hugo-en": Corpus(
        "hugo", "digital-canada-hugo/content/en", ("/careers/",),
        "3 imported, 0 unchanged, 0 skipped, 0 failed.", root=False,
    ),
    "digital-canada-hugo-fr": Corpus(
        "hugo", "digital-canada-hugo/content/fr", ("/carrieres/",),
        "3 imported, 0 unchanged, 0 skipped, 0 failed.", root=False,
    ),
    "wordpress-theme-test": Corpus(
        "wordpress", "wordpress-theme-test/themeunittestdata.wordpress.xml", (),
        "7 imported, 0 unchanged, 0 skipped, 0 failed.",
    ),
}


@pytest.fixture(scope="module", params=sorted(CORPORA_CASES))
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[str, Path, str]:
    """An excerpt imported into a fresh site and built as the import report advises."""
    corpus = CORPORA_CASES[request.param]
    site = fresh_site(tmp_path_factory.mktemp(request.param) / "site")
    result = folio_import(site, corpus.format, CORPORA / corpus.source)
    assert summary(result) == corpus.summary, result.out
    assert "set `html = true` under [markdown]" in result.out, "these bodies carry HTML"
    outside = ", ".join(f'"{path}"' for path in corpus.outside)
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write(
            f"search = false\n\n[markdown]\nhtml = true\n\n[links]\noutside = [{outside}]\n"
        )
    built = build(site)
    assert built.code == 0, built.err
    return request.param, site, result.out


def test_no_page_shows_template_code(imported: tuple[str, Path, str]) -> None:
    _, site, _ = imported
    pages = output_pages(site)
    assert len(pages) > 10
    shown = {}
    for name, page in pages.items():
        soup = BeautifulSoup(page, "html.parser")
        for code in soup.find_all(["pre", "code", "script"]):
            code.decompose()  # code samples may show template syntax on purpose
        found = RAW_TEMPLATE.findall(soup.get_text())
        if found:
            shown[name] = found
    assert shown == {}


def test_old_urls_resolve(imported: tuple[str, Path, str]) -> None:
    """Imported from a site root or an export, at least 98 % of the stories know their old
    URL, and every old URL of a published one answers in the built site: the story or a
    redirect to it (drafts, such as password-protected posts, are not published)."""
    name, site, _ = imported
    report = json.loads((site / "import-report.json").read_text(encoding="utf-8"))
    written = [o for o in report["outcomes"] if o["status"] == "imported"]
    published = [o for o in written if not read_story(site / o["detail"])[0].get("draft")]
    old = [path for outcome in published for path in outcome["old_urls"]]
    missing = [path for path in old
               if not (site / "output" / path.strip("/") / "index.html").is_file()]
    assert missing == []
    if CORPORA_CASES[name].root:
        known = sum(bool(outcome["old_urls"]) for outcome in written)
        assert known >= 0.98 * len(written), report["old_urls_not_computed"]


def test_what_the_tags_became(imported: tuple[str, Path, str]) -> None:
    name, site, report = imported
    pages = output_pages(site)
    if name == "18f-eleventy":
        numbers = _body(pages["2015/03/19/18f-by-the-numbers/index.html"])
        image = numbers.find("img", src="/assets/blog/agile-day/18fbythenumbers.png")
        assert image is not None and image["alt"], "{% image %} with its alt text"
        ask = _body(pages["2014/04/01/ask-us-almost-anything/index.html"])
        assert ask.find("a", href="/2014/03/19/hello-world-we-are-18f/") is not None
        video = _body(pages["2015/06/25/improving-healthcare-gov-experience/index.html"])
        assert video.find("a", string="YouTube video") is not None
        assert "team_link (2)" in report, "an unknown filter, counted by name"
    elif name == "wordpress-theme-test":
        gallery = _body(pages["2010/09/10/post-format-gallery/index.html"])
        assert len(gallery.select(".gallery img")) > 1
        caption = _body(pages["2013/01/10/markup-image-alignment/index.html"])
        assert caption.find("figcaption") is not None
        assert "password-protected" not in " ".join(pages), "a protected post is not published"


def test_dates_as_written(imported: tuple[str, Path, str]) -> None:
    name, site, _ = imported
    if name == "18f-eleventy":
        page = output_pages(site)["2015/03/19/18f-by-the-numbers/index.html"]
        time = BeautifulSoup(page, "html.parser").select_one(".dateline time")
        assert time is not None and time["datetime"] == "2015-03-19T18:00:00-04:00", "-4"


def test_images_come_along_or_are_reported(imported: tuple[str, Path, str]) -> None:
    """The excerpts hold no image files: each local one is listed as missing, never dropped;
    remote lead photos are shown with their alt text."""
    name, site, _ = imported
    report = json.loads((site / "import-report.json").read_text(encoding="utf-8"))
    missing = {(entry["field"], entry["path"]) for entry in report["images"]["missing"]}
    pages = output_pages(site)
    if name == "18f-eleventy":
        posts = CORPORA / "18f-eleventy" / "content" / "posts"
        local = {match for post in posts.glob("*.md") for match in re.findall(
            r"^image: (/\S+)$", post.read_text(encoding="utf-8"), re.M)}
        assert len(local) == 5
        assert {path for field, path in missing if field == "photo"} == local
        assert ("body", "/assets/blog/agile-day/18fbythenumbers.png") in missing
        kept = (site / "content/2015/18f-by-the-numbers.md").read_text(encoding="utf-8")
        assert "source_photo: /assets/blog/agile-day/18fbythenumbers.png" in kept
    elif name == "digital-canada-hugo-en":
        assert missing == set()
        page = BeautifulSoup(pages["2018/07/17/community-driven-coding/index.html"],
                             "html.parser")
        lead = page.select_one(".lead-photo img")
        assert lead is not None and lead["src"].startswith("https://de2an9clyit2x.cloudfront")
        assert lead["alt"] == "Illustration of two people painting a giant, physical web page."
    elif name == "wordpress-theme-test":
        page = BeautifulSoup(pages["2010/08/07/post-format-image-caption/index.html"],
                             "html.parser")
        lead = page.select_one(".lead-photo img")
        assert lead is not None
        assert lead["src"] == "https://wpthemetestdata.files.wordpress.com/2010/08/" \
            "triforce-wallpaper.jpg", "a featured image"
    assert report["images"]["copied"] == 0


def _body(page: str) -> BeautifulSoup:
    body = BeautifulSoup(page, "html.parser").select_one(".story-body")
    assert body is not None
    return body


def test_a_bilingual_archive_becomes_a_multilingual_site(tmp_path: Path) -> None:
    """The Canadian blog from its root: French posts in French under /fr/, each linked to
    its English original by hreflang (Hugo's translationKey), every old URL kept."""
    root = CORPORA / "digital-canada-hugo"
    site = fresh_site(tmp_path / "site")
    result = folio_import(site, "hugo", root)
    assert summary(result) == "6 imported, 0 unchanged, 0 skipped, 0 failed.", result.out
    with (site / "folio.toml").open("a", encoding="utf-8") as config:
        config.write('search = false\n\n[markdown]\nhtml = true\n\n'
                     '[links]\noutside = ["/careers/", "/carrieres/"]\n')
    built = build(site)
    assert built.code == 0, built.err
    output = site / "output"
    pages = {path: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
             for path in output.rglob("index.html")}
    stories = {path: soup for path, soup in pages.items() if soup.select_one("article.story")}
    french = {path: soup for path, soup in stories.items()
              if path.relative_to(output).parts[0] == "fr"}
    assert len(stories) == 6 and len(french) == 3
    for path, soup in stories.items():
        language = "fr" if path in french else "en"
        assert soup.html["lang"] == language, path
        alternates = {link["hreflang"]: link["href"]
                      for link in soup.select('head link[rel="alternate"][hreflang]')}
        assert set(alternates) == {"en", "fr"}, path
        other = alternates["en" if language == "fr" else "fr"]
        target = output / other.split("://", 1)[1].split("/", 1)[1] / "index.html"
        assert target in stories, (path, other)
        byline = soup.select_one(".byline").get_text(" ", strip=True)
        assert byline.startswith("Par " if language == "fr" else "By "), byline
    profile, _ = read_story(site / "content" / "authors" / "david-buckley.md")
    assert profile["role"] == "Developer", "the site's language, not 'développeur'"
    report = json.loads((site / "import-report.json").read_text(encoding="utf-8"))
    old = [path for outcome in report["outcomes"] for path in outcome["old_urls"]]
    assert len(old) == 6
    assert [path for path in old if not (output / path.strip("/") / "index.html").is_file()] == []
