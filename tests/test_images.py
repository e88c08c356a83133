"""Article photos: resized copies in WebP and the photo's own format, srcset, sizes, caching."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from PIL import Image

from conftest import article, build, photo_bytes, run_folio, tree
from sitewalk import Site

SiteFactory = Callable[..., Path]
BIG, SMALL = (2000, 1333), (600, 400)
BIG_URL, SMALL_URL = "/2020/05/01/big/", "/2020/05/02/small/"
STORIES = {
    "images/big.jpg": photo_bytes(*BIG),
    "images/small.png": photo_bytes(*SMALL, kind="PNG"),
    "big.md": article(
        title="Big", date="2020-05-01T09:00:00Z", tags=["Harbour"],
        photo={"src": "images/big.jpg", "alt": "The harbour", "caption": "Boats at dawn",
               "credit": "Staff"},
    ),
    "small.md": article(
        title="Small", date="2020-05-02T09:00:00Z", tags=["Harbour"],
        photo={"src": "images/small.png", "caption": "A small picture"},
    ),
}


def srcset(value: str) -> list[tuple[str, int]]:
    """The (URL, width) entries of a srcset attribute."""
    entries = [part.split() for part in value.split(",")]
    assert all(len(entry) == 2 and entry[1].endswith("w") for entry in entries), value
    return [(url, int(width[:-1])) for url, width in entries]


def lead(site: Site, url: str) -> tuple[Tag | None, Tag]:
    """The WebP <source> (if any) and the <img> of an article's lead photo."""
    picture = site.soup(url).select_one("figure.lead-photo picture")
    assert picture is not None, url
    img = picture.select_one("img")
    assert img is not None
    return picture.select_one('source[type="image/webp"]'), img


def opened(site: Site, url: str) -> Image.Image:
    assert site.exists(url), url
    return Image.open(io.BytesIO(site.file(url).read_bytes()))


@pytest.fixture
def built(site_factory: SiteFactory) -> Site:
    site = site_factory(STORIES)
    result = build(site)
    assert result.code == 0, result.err
    return Site(site / "output")


@pytest.mark.parametrize(
    ("url", "size", "kind", "widths"),
    [(BIG_URL, BIG, "JPEG", [480, 960, 1600, 2000]), (SMALL_URL, SMALL, "PNG", [480, 600])],
)
def test_srcset_lists_resized_copies_that_exist_with_those_widths(
    built: Site, url: str, size: tuple[int, int], kind: str, widths: list[int]
) -> None:
    source, img = lead(built, url)
    assert source is not None
    assert source["sizes"] == img["sizes"]
    for attribute, expected_kind in ((source["srcset"], "WEBP"), (img["srcset"], kind)):
        entries = srcset(attribute)
        assert [width for _, width in entries] == widths
        for file_url, width in entries:
            image = opened(built, file_url)
            assert image.format == expected_kind, file_url
            assert image.size == (width, round(size[1] * width / size[0])), file_url
    assert (int(img["width"]), int(img["height"])) == size


def test_the_full_size_copy_in_the_own_format_is_the_original_file(built: Site) -> None:
    _, img = lead(built, SMALL_URL)
    largest, width = srcset(img["srcset"])[-1]
    assert largest == img["src"] == "/images/small.png"
    assert width == SMALL[0]
    assert built.file(largest).read_bytes() == STORIES["images/small.png"]


def test_a_small_photo_is_never_enlarged(built: Site) -> None:
    photos = [built.root / "images" / "small.png", *(built.root / "photos").rglob("small-*")]
    assert len(photos) == 4  # the original; PNG at 480; WebP at 480 and 600
    assert max(Image.open(path).width for path in photos) == SMALL[0]


def test_copies_carry_no_metadata(built: Site) -> None:
    for path in (built.root / "photos").rglob("*.*"):
        with Image.open(path) as image:
            assert not image.getexif(), path
            assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info), path


def test_the_lead_photo_and_first_card_load_at_once_and_the_rest_lazily(built: Site) -> None:
    _, img = lead(built, SMALL_URL)
    assert (img["loading"], img["fetchpriority"]) == ("eager", "high")
    first, *rest = built.soup("/").select(".card img")
    related = built.soup(SMALL_URL).select(".related-articles .card img")
    assert len(rest) == 1 and len(related) == 1  # two on the home page, one related story
    assert (first["loading"], first["fetchpriority"]) == ("eager", "high")
    for card in [first, *rest, *related]:
        assert card["width"] and card["height"] and card["srcset"] and card["sizes"]
        assert card.parent is not None and card.parent.name == "picture"
    for card in rest + related:
        assert card["loading"] == "lazy" and "fetchpriority" not in card.attrs


def test_caption_and_credit_stay_in_the_figure(built: Site) -> None:
    figure = built.soup(BIG_URL).select_one("figure.lead-photo")
    assert figure is not None
    assert figure.select_one("img")["alt"] == "The harbour"
    assert figure.select_one("figcaption .caption").get_text() == "Boats at dawn"
    assert figure.select_one("figcaption .credit").get_text() == "Photo via Staff"


def test_a_second_build_reuses_the_cache_and_writes_the_same_bytes(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory(STORIES)
    assert build(site, "--output", tmp_path / "a").code == 0
    cache = site / ".folio-cache" / "photos"
    made = {path: path.stat().st_mtime_ns for path in cache.rglob("*") if path.is_file()}
    assert len(made) == 10  # JPEG at 480, 960, 1600; WebP at those and 2000; PNG at 480; ...
    assert build(site, "--output", tmp_path / "b").code == 0
    again = {path: path.stat().st_mtime_ns for path in cache.rglob("*") if path.is_file()}
    assert again == made
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_resizing_again_from_scratch_gives_the_same_bytes(
    site_factory: SiteFactory, tmp_path: Path
) -> None:
    site = site_factory(STORIES)
    assert build(site, "--output", tmp_path / "a").code == 0
    shutil.rmtree(site / ".folio-cache")
    assert build(site, "--output", tmp_path / "b").code == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_changed_photo_gets_new_copies(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    assert build(site).code == 0
    before = srcset(lead(Site(site / "output"), BIG_URL)[1]["srcset"])
    (site / "content" / "images" / "big.jpg").write_bytes(photo_bytes(1000, 500))
    assert build(site).code == 0
    after = srcset(lead(Site(site / "output"), BIG_URL)[1]["srcset"])
    assert [w for _, w in after] == [480, 960, 1000]
    assert not {url for url, _ in before[:-1]} & {url for url, _ in after}
    assert all(Site(site / "output").exists(url) for url, _ in after)


def test_a_site_under_a_path_prefixes_every_srcset_url(site_factory: SiteFactory) -> None:
    site = site_factory(STORIES)
    assert build(site, "--base-url", "https://example.org/archive/").code == 0
    source, img = lead(Site(site / "output"), BIG_URL)
    assert source is not None
    for url, _ in srcset(source["srcset"]) + srcset(img["srcset"]):
        assert url.startswith("/archive/"), url
        assert (site / "output" / url.removeprefix("/archive/")).is_file(), url


def test_a_gif_is_used_as_it_is(site_factory: SiteFactory) -> None:
    site = site_factory({
        "images/anim.gif": photo_bytes(*BIG, kind="GIF"),
        "story.md": article(photo={"src": "images/anim.gif", "alt": "A chart"}),
    })
    assert build(site).code == 0
    source, img = lead(Site(site / "output"), "/2020/05/01/story/")
    assert source is None
    assert srcset(img["srcset"]) == [("/images/anim.gif", BIG[0])]
    assert (img["width"], img["height"]) == (str(BIG[0]), str(BIG[1]))
    assert not (site / "output" / "photos").exists()


def test_a_webp_photo_needs_no_separate_source(site_factory: SiteFactory) -> None:
    site = site_factory({
        "images/pic.webp": photo_bytes(*SMALL, kind="WEBP"),
        "story.md": article(photo={"src": "images/pic.webp", "alt": "WebP"}),
    })
    assert build(site).code == 0
    built = Site(site / "output")
    source, img = lead(built, "/2020/05/01/story/")
    assert source is None
    entries = srcset(img["srcset"])
    assert entries[-1] == ("/images/pic.webp", SMALL[0])
    assert [(opened(built, url).format, width) for url, width in entries] == [
        ("WEBP", 480), ("WEBP", 600)]


def test_a_photo_at_an_outside_address_is_used_as_it_is(site_factory: SiteFactory) -> None:
    url = "https://images.example.net/photo.jpg"
    site = site_factory({"story.md": article(photo={"src": url, "alt": "Far away"})})
    assert build(site).code == 0
    source, img = lead(Site(site / "output"), "/2020/05/01/story/")
    assert source is None
    assert img["src"] == url
    assert not {"srcset", "width", "height"} & set(img.attrs)


def test_a_camera_rotated_photo_is_measured_and_resized_upright(
    site_factory: SiteFactory,
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: shown turned a quarter clockwise
    buffer = io.BytesIO()
    Image.open(io.BytesIO(photo_bytes(1200, 800))).save(buffer, "JPEG", exif=exif.tobytes())
    site = site_factory({
        "images/turned.jpg": buffer.getvalue(),
        "story.md": article(photo={"src": "images/turned.jpg", "alt": "Upright"}),
    })
    assert build(site).code == 0
    built = Site(site / "output")
    source, img = lead(built, "/2020/05/01/story/")
    assert (img["width"], img["height"]) == ("800", "1200")
    assert source is not None
    for url, width in srcset(source["srcset"]):
        assert opened(built, url).size == (width, width * 3 // 2)


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"\xff\xd8 not really a jpeg", "is not an image"),
     (photo_bytes(300, 200)[:2000], "could not be resized"),
     (photo_bytes(30, 20, kind="BMP"), "is a BMP image")],
    ids=["garbage", "truncated", "bmp"],
)
def test_a_bad_photo_file_is_an_error_naming_the_article_and_field(
    site_factory: SiteFactory, data: bytes, problem: str
) -> None:
    site = site_factory({
        "images/pic.jpg": data,
        "story.md": article(photo={"src": "images/pic.jpg", "alt": "Broken"}),
        "other.md": article(title="Other", slug="other"),
    })
    result = build(site)
    assert result.code == 1
    assert "content/story.md:" in result.err
    assert "photo.src: 'images/pic.jpg' " + problem in result.err
    assert not (site / "output").exists()


def test_a_photo_nothing_describes_gives_a_warning_not_an_error(
    site_factory: SiteFactory,
) -> None:
    site = site_factory({
        "images/pic.jpg": photo_bytes(40, 30),
        "bare.md": article(title="Bare", photo={"src": "images/pic.jpg", "credit": "Staff"}),
        "captioned.md": article(title="Captioned", photo={"src": "images/pic.jpg",
                                                          "caption": "Said enough"}),
    })
    checked = run_folio("check", "--site", site)
    assert checked.code == 0, checked.err
    assert checked.err.splitlines() == [
        "Warning: content/bare.md:6: photo.alt: missing and there is no caption either; "
        "describe the photo for readers who cannot see it"
    ]
    built = run_folio("build", "--site", site)
    assert built.code == 0
    assert "Warning: content/bare.md:6: photo.alt" in built.err
    assert build(site).err == ""  # --quiet
    img = BeautifulSoup((site / "output/2020/05/01/bare/index.html").read_text(), "html.parser")
    assert img.select_one("figure img")["alt"] == ""
