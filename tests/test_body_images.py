"""Images in story bodies: resized copies, size, srcset, lazy loading past the first,
figures with caption and credit, paths relative to the story file."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from PIL import Image

from conftest import CONFIG, article, build, make_site, photo_bytes, tree
from sitewalk import Site

STORY = "2020/trip/story.md"
STORY_URL = "/2020/05/01/trip/"
BODY = """\
The ferry left at dawn.

![Boats in the harbour](boats.jpg "Boats wait for the tide | Jane Doe/Reuters")

A map of the route: ![The route](/images/route.png) as drawn by the crew.

![Boats again](./boats.jpg)

![Only a credit](../../images/route.png "| City archive")

![The route, drawn](route.svg)
"""


def story_files() -> dict[str, str | bytes]:
    return {
        STORY: article(BODY, title="Trip", slug="trip", date="2020-05-01T09:00:00Z"),
        "2020/trip/boats.jpg": photo_bytes(1200, 800),
        "images/route.png": photo_bytes(600, 900, kind="PNG"),
        "2020/trip/route.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("body-images"), story_files())
    result = build(root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="module")
def pictures(site: Path) -> list[Tag]:
    return Site(site / "output").soup(STORY_URL).select(".story-body picture")


def srcset(value: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (part.split() for part in value.split(","))]


def test_every_copy_in_srcset_is_written_at_its_width(site: Path, pictures: list[Tag]) -> None:
    output = Site(site / "output")
    boats = pictures[0]
    webp = srcset(boats.select_one('source[type="image/webp"]')["srcset"])
    own = srcset(boats.img["srcset"])
    assert [w for _, w in own] == [480, 960, 1200]
    assert [w for _, w in webp] == [480, 960, 1200]
    assert own[-1][0] == "/2020/trip/boats.jpg"  # the original, beside the story
    for url, width in webp + own:
        with Image.open(io.BytesIO(output.file(url).read_bytes())) as image:
            assert image.size == (width, width * 2 // 3), url
            assert image.format == ("WEBP" if url.endswith(".webp") else "JPEG")


def test_width_and_height_are_the_files_and_paths_resolve_from_the_story(
    pictures: list[Tag],
) -> None:
    sizes = [(p.img["src"], p.img["width"], p.img["height"], p.img["alt"])
             for p in pictures[:4]]
    assert sizes == [
        ("/2020/trip/boats.jpg", "1200", "800", "Boats in the harbour"),
        ("/images/route.png", "600", "900", "The route"),
        ("/2020/trip/boats.jpg", "1200", "800", "Boats again"),
        ("/images/route.png", "600", "900", "Only a credit"),
    ]
    assert all(p.img["sizes"] for p in pictures[:4])


def test_an_svg_drawing_is_used_as_it_is(site: Path, pictures: list[Tag]) -> None:
    drawing = pictures[4].img
    assert drawing["src"] == "/2020/trip/route.svg"
    assert not {"width", "height", "srcset"} & set(drawing.attrs)
    assert Site(site / "output").exists("/2020/trip/route.svg")


def test_only_the_first_image_is_fetched_eagerly(pictures: list[Tag]) -> None:
    assert [p.img.get("loading") for p in pictures] == [None, "lazy", "lazy", "lazy", "lazy"]


def test_a_titled_image_alone_in_its_paragraph_is_a_figure(site: Path) -> None:
    page = Site(site / "output").soup(STORY_URL)
    figures = page.select(".story-body figure.figure")
    assert [(f.select_one(".caption"), f.select_one(".credit").get_text()) for f in figures][1] \
        == (None, "City archive")
    first = figures[0].figcaption
    assert first.select_one(".caption").get_text() == "Boats wait for the tide"
    assert first.select_one(".credit").get_text() == "Jane Doe/Reuters"
    assert not figures[0].img.has_attr("title")
    inline = page.select(".story-body p picture")
    assert [p.img["alt"] for p in inline] == ["The route", "Boats again", "The route, drawn"]


def test_feeds_carry_each_image_as_one_absolute_src(site: Path) -> None:
    feed = BeautifulSoup((site / "output" / "feed.xml").read_text(), "xml")
    content = BeautifulSoup(feed.select_one("entry content").get_text(), "html.parser")
    assert [img["src"] for img in content.select("img")] == [
        "https://gazette.example.org/2020/trip/boats.jpg",
        "https://gazette.example.org/images/route.png",
        "https://gazette.example.org/2020/trip/boats.jpg",
        "https://gazette.example.org/images/route.png",
        "https://gazette.example.org/2020/trip/route.svg",
    ]
    assert content.select("source, [srcset]") == []


def test_missing_and_outside_images_are_errors_naming_file_and_line(tmp_path: Path) -> None:
    body = ("Intro.\n\n![Gone](gone.jpg)\n\nText\nand ![Up](../../../folio.toml) here.\n\n"
            "![Not a picture](notes.txt)\n")
    files = {STORY: article(body, title="Trip"), "2020/trip/notes.txt": "just words\n"}
    root = make_site(tmp_path / "site", files)
    result = build(root)
    assert result.code == 1
    first_body_line = article("").count("\n")
    rows = [row.strip() for row in result.err.splitlines() if STORY in row]
    assert rows == [
        f"content/{STORY}:{first_body_line + 2}: image 'gone.jpg': no file "
        "content/2020/trip/gone.jpg; expected an image beside the story (a path relative "
        "to its file) or under content/ (/images/...)",
        f"content/{STORY}:{first_body_line + 5}: image '../../../folio.toml': no file "
        "content/folio.toml; expected an image beside the story (a path relative to its "
        "file) or under content/ (/images/...)",
        f"content/{STORY}:{first_body_line + 7}: image 'notes.txt' is not an image; "
        "expected a JPEG, PNG, GIF or WebP file (or an SVG drawing)",
    ], result.err


def test_an_image_edit_rebuilds_the_story_as_a_clean_build_would(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", story_files())
    assert build(root, "--jobs", "1").code == 0
    before = tree(root / "output")
    (root / "content/2020/trip/boats.jpg").write_bytes(photo_bytes(1000, 1000))
    assert build(root, "--jobs", "1").code == 0
    after = tree(root / "output")
    assert after != before
    page = Site(root / "output").soup(STORY_URL)
    assert (page.img["width"], page.img["height"]) == ("1000", "1000")
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns(".folio-cache", "output"))
    assert build(clean, "--jobs", "1").code == 0
    assert tree(clean / "output") == after


def test_under_a_base_path_every_image_url_has_it(tmp_path: Path) -> None:
    config = CONFIG.replace("https://gazette.example.org/", "https://gazette.example.org/news/")
    root = make_site(tmp_path / "site", story_files(), config)
    result = build(root)
    assert result.code == 0, result.err
    picture = Site(root / "output").soup(STORY_URL).select_one(".story-body picture")
    urls = [picture.img["src"], *(u for u, _ in srcset(picture.img["srcset"])),
            *(u for u, _ in srcset(picture.source["srcset"]))]
    assert all(url.startswith("/news/") for url in urls), urls


def test_an_image_under_a_path_served_beside_the_archive_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    body = "Before.\n\n![The old chart](/assets/charts/jobs.png)\n"
    site = make_site(tmp_path, {"content/a.md": article(body, slug="a")},
                     CONFIG + '\n[links]\noutside = ["/assets/"]\n')
    result = build(site)
    assert result.code == 0, result.err
    page = BeautifulSoup((site / "output/2020/05/01/a/index.html").read_text("utf-8"),
                         "html.parser")
    image = page.select_one(".story-body img")
    assert image is not None and image["src"] == "/assets/charts/jobs.png"
    assert not image.has_attr("srcset")
