"""The link checker: which links of a page count, the file each needs, what is missing.

Each expected output file is written out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.site.links import BrokenLink, PageLinks, broken, internal_links, links_of_tree

from conftest import article, build, run_folio

SiteFactory = Callable[..., Path]
PAGE = "/2020/01/03/three/"


def files(html: str, page: str = PAGE, base_path: str = "") -> tuple[str, ...]:
    return internal_links(html, page, base_path)


@pytest.mark.parametrize(("html", "needed"), [
    ('<a href="/tags/syria/">', ("tags/syria/index.html",)),
    ('<a class="x" href="/feed.xml">', ("feed.xml",)),
    ('<link rel="stylesheet" href="/assets/site.css">', ("assets/site.css",)),
    ('<img alt="" src="/images/a.jpg">', ("images/a.jpg",)),
    ('<iframe src="/embed/"></iframe>', ("embed/index.html",)),
    ('<video src="/clip.mp4"></video><audio src="/a.ogg"></audio>', ("clip.mp4", "a.ogg")),
    ('<area href="/map/">', ("map/index.html",)),
    ('<img srcset="/images/a-480.jpg 480w, /images/a-960.jpg 960w" src="/images/a.jpg">',
     ("images/a-480.jpg", "images/a-960.jpg", "images/a.jpg")),
    ('<picture><source type="image/webp" srcset="/i/a.webp 1x,/i/b.webp 2x"></picture>',
     ("i/a.webp", "i/b.webp")),
    ('<img srcset=" /i/a.jpg , , /i/b.jpg 2x ">', ("i/a.jpg", "i/b.jpg")),
    ("<a href='/single/'>", ("single/index.html",)),
    ('<A HREF="/upper/">', ("upper/index.html",)),
    ('<IMG SRC="/UP.JPG">', ("UP.JPG",)),
    ('<a href = "/spaced/">', ("spaced/index.html",)),
    ('<a\nhref="/newline/">', ("newline/index.html",)),
    ('<a href="/search/?q=oil&amp;page=2#results">', ("search/index.html",)),
    ('<a href="/caf&#233;/">', ("café/index.html",)),
    ('<a href="/caf%C3%A9/">', ("café/index.html",)),
    ('<a href="  /padded/  ">', ("padded/index.html",)),
    ('<a href="/">', ("index.html",)),
])
def test_each_internal_link_needs_its_file(html: str, needed: tuple[str, ...]) -> None:
    assert files(html) == needed


@pytest.mark.parametrize("html", [
    '<a href="https://example.org/gone/">', '<a href="http://example.org/gone/">',
    '<a href="HTTPS:/gone/">', '<a href="//cdn.example.org/x.js">',
    '<a href="mailto:desk@example.org">', '<a href="tel:+15550100">', '<a href="#top">',
    '<a href="?page=2">', '<a href="">', '<a href="   ">',
    '<img data-src="/lazy.jpg">', '<div href="/not-a-link-tag/">',
    '<aside href="/aside/">', '<abbr src="/abbr/">', '<meta content="/meta/">',
    '<form action="/form/">', '<p>href="/text/"</p>',
])
def test_links_elsewhere_and_attributes_that_are_not_links_are_not_checked(html: str) -> None:
    assert files(html) == ()


@pytest.mark.parametrize("html", [
    '<!-- <a href="/commented/"> -->',
    '<!--\n<img src="/commented.jpg">\n-->',
    '<script>var a = \'<a href="/in-script/">\';</script>',
    '<SCRIPT type="module">x = "<img src=/i.jpg>"; y = \'<a href="/s/">\'</SCRIPT >',
    '<style>/* <a href="/in-style/"> */</style>',
    '<template><a href="/in-template/"></a></template>',
])
def test_links_inside_comments_scripts_styles_and_templates_are_not_links(html: str) -> None:
    assert files(html + '<a href="/kept/">') == ("kept/index.html",)


def test_a_scripts_own_src_is_a_link_its_body_is_not() -> None:
    html = '<script src="/js/app.js">var a = "<img src=/no.jpg>";</script><p>x</p>'
    assert files(html) == ("js/app.js",)
    assert files('<script type="module" src=\'/js/m.js\' defer></script>') == ("js/m.js",)


def test_text_between_two_comments_still_counts() -> None:
    html = '<!-- a --><a href="/between/"><!-- b --><script></script><a href="/after/">'
    assert files(html) == ("between/index.html", "after/index.html")


@pytest.mark.parametrize(("link", "needed"), [
    ("nowhere/", "2020/01/03/three/nowhere/index.html"),
    ("photo.jpg", "2020/01/03/three/photo.jpg"),
    ("./same/", "2020/01/03/three/same/index.html"),
    ("../two/", "2020/01/03/two/index.html"),
    ("../../../../tags/syria/", "tags/syria/index.html"),
    ("../../../../../../../tags/syria/", "tags/syria/index.html"),  # past the root stays there
])
def test_relative_links_are_resolved_from_the_page(link: str, needed: str) -> None:
    assert files(f'<a href="{link}">') == (needed,)


def test_relative_links_from_a_page_that_is_a_file() -> None:
    assert files('<a href="tags/">', "/404.html") == ("tags/index.html",)


def test_a_link_that_cannot_be_a_file_is_reported_as_not_a_path() -> None:
    assert files('<a href="/a%5Cb/">') == ("(not a path)/a%5Cb/",)
    assert files('<a href="/.git/config">') == ("(not a path)/.git/config",)


def test_each_needed_file_is_listed_once_in_the_order_first_linked() -> None:
    html = ('<a href="/b/"><a href="/a/"><a href="/b/"><img src="/b/index.html">'
            '<a href="/a/">')
    assert files(html) == ("b/index.html", "a/index.html")


@pytest.mark.parametrize(("html", "page", "needed"), [
    ('<a href="/archive/tags/syria/">', "/", ("tags/syria/index.html",)),
    ('<a href="/archive/">', "/", ("index.html",)),
    ('<a href="/archive">', "/", ("index.html",)),
    ('<img src="/archive/images/a.jpg" srcset="/archive/images/a-480.jpg 480w">', "/",
     ("images/a.jpg", "images/a-480.jpg")),
    ('<a href="/shop/">', "/", ()),
    ('<a href="/archived/">', "/", ()),
    ('<a href="/">', "/", ()),
    ('<a href="two/">', "/2020/01/", ("2020/01/two/index.html",)),
    ('<a href="../../tags/">', "/2020/01/", ("tags/index.html",)),
    ('<a href="../../../">', "/2020/01/", ()),
])
def test_a_base_path_prefixes_site_links_and_links_outside_it_are_not_checked(
    html: str, page: str, needed: tuple[str, ...]
) -> None:
    assert files(html, page, "/archive") == needed


def test_broken_links_are_those_missing_from_the_build_and_the_disk(tmp_path: Path) -> None:
    (tmp_path / "tags").mkdir()
    (tmp_path / "tags" / "index.html").write_text("on disk")
    (tmp_path / "folder").mkdir()
    links = {
        "z/index.html": ("gone/index.html", "index.html"),
        "a/index.html": ("tags/index.html", "folder", "feed.xml", "also-gone.jpg"),
    }
    assert broken(links, ["index.html", "feed.xml"], tmp_path) == [
        BrokenLink("a/index.html", "folder"),
        BrokenLink("a/index.html", "also-gone.jpg"),
        BrokenLink("z/index.html", "gone/index.html"),
    ]
    assert broken(links, ["index.html", "feed.xml"]) == [
        BrokenLink("a/index.html", "tags/index.html"),
        BrokenLink("a/index.html", "folder"),
        BrokenLink("a/index.html", "also-gone.jpg"),
        BrokenLink("z/index.html", "gone/index.html"),
    ]
    assert broken(links) == [BrokenLink("a/index.html", t) for t in links["a/index.html"]] + [
        BrokenLink("z/index.html", t) for t in links["z/index.html"]]


def test_a_broken_link_reads_as_the_site_path() -> None:
    assert BrokenLink("index.html", "tags/syria/index.html").url == "/tags/syria/"
    assert BrokenLink("index.html", "index.html").url == "/"
    assert BrokenLink("index.html", "feed.xml").url == "/feed.xml"


def test_links_of_a_built_tree_resolve_from_each_page(tmp_path: Path) -> None:
    (tmp_path / "2020" / "a").mkdir(parents=True)
    (tmp_path / "2020" / "a" / "index.html").write_text('<a href="../b/"><img src="x.jpg">')
    (tmp_path / "index.html").write_text('<a href="/archive/2020/a/">')
    (tmp_path / "404.html").write_text('<a href="tags/">')
    (tmp_path / "notes.txt").write_text('<a href="/archive/ignored/">')
    (tmp_path / "latin1.html").write_bytes(b'<p>caf\xe9</p><a href="/archive/tags/">')
    assert links_of_tree(tmp_path, "/archive") == {
        "2020/a/index.html": ("2020/b/index.html", "2020/a/x.jpg"),
        "404.html": ("tags/index.html",),
        "index.html": ("2020/a/index.html",),
        "latin1.html": ("tags/index.html",),
    }


def test_page_links_keep_each_pages_targets() -> None:
    links = PageLinks([("a.html", ["x", "y"]), ("b.html", ["y"])])
    links["c.html"] = ("z", "x", "x")
    assert dict(links) == {"a.html": ("x", "y"), "b.html": ("y",), "c.html": ("z", "x", "x")}
    assert (len(links), "b.html" in links, "d.html" in links) == (3, True, False)
    links["a.html"] = ()
    del links["b.html"]
    assert dict(links) == {"a.html": (), "c.html": ("z", "x", "x")}
    assert list(links) == ["a.html", "c.html"]
    with pytest.raises(KeyError):
        links["b.html"]


def test_a_build_fails_on_a_broken_image_and_passes_once_it_is_there(
    site_factory: SiteFactory,
) -> None:
    """Under a base path, the way a reader's browser would follow them: a missing
    image in src or srcset fails the build; a commented-out link does not."""
    body = ('<!-- <a href="/archive/never/">old</a> -->\n\n'
            '<img alt="chart" src="/archive/images/chart.png" '
            'srcset="/archive/images/chart.png 1x, /archive/images/chart-2x.png 2x">\n')
    config = ('title = "Base Gazette"\nbase_url = "https://base.example.org/archive/"\n'
              "[markdown]\nhtml = true\n")
    site = site_factory({"one.md": article(body, title="One", date="2020-01-01T10:00:00Z"),
                         "images/chart.png": b"png"}, config)
    result = build(site, "--jobs", "1")
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if "links to" in line]
    assert lines == ["  content/one.md: links to /images/chart-2x.png, which is not a page "
                     "or file of the site"], result.err
    (site / "content" / "images" / "chart-2x.png").write_bytes(b"png")
    assert build(site, "--jobs", "1").code == 0
    assert run_folio("check", "--site", site, "--links").code == 0


def test_paths_outside_the_archive_are_not_checked(site_factory: SiteFactory) -> None:
    """`[links] outside`: pages of the old site that live beside the archive."""
    body = "See [careers](/careers/), [the logo](/files/logo.png) and [a typo](/carers/).\n"
    config = 'title = "G"\nbase_url = "https://g.example.org/"\n'
    site = site_factory({"one.md": article(body, title="One", date="2020-01-01T10:00:00Z")},
                        config + '[links]\noutside = ["/careers/", "/files/"]\n')
    result = build(site, "--jobs", "1")
    assert [line for line in result.err.splitlines() if "links to" in line] == [
        "  content/one.md: links to /carers/, which is not a page or file of the site"]
    (site / "folio.toml").write_text(
        config + '[links]\noutside = ["/careers/", "/files/", "/carers/"]\n', encoding="utf-8")
    assert build(site, "--jobs", "1").code == 0
    assert run_folio("check", "--site", site, "--links").code == 0
    (site / "folio.toml").write_text(config + '[links]\noutside = ["careers/"]\n',
                                     encoding="utf-8")
    refused = build(site, "--jobs", "1")
    assert refused.code == 1 and "paths must start with /" in refused.err, refused.err
