"""Site paths and the files that serve them, each expectation written out by hand."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from generator.site.urls import (
    author_url,
    file_for,
    file_name,
    fold,
    normalize,
    numbered_url,
    origin,
    page_url,
    part_problem,
    section_url,
    tag_url,
)


@pytest.mark.parametrize(("url", "name"), [
    ("/", "index.html"),
    ("/tags/", "tags/index.html"),
    ("/2015/09/18/slug/", "2015/09/18/slug/index.html"),
    ("/feed.xml", "feed.xml"),
    ("/tags/syria/feed.xml", "tags/syria/feed.xml"),
    ("/old-page", "old-page/index.html"),
    ("/v1.2/", "v1.2/index.html"),
    ("/v1.2", "v1.2"),
    ("/caf%C3%A9/", "café/index.html"),
    ("/a%2Fb/", "a/b/index.html"),
    ("/%252e%252e/", "%2e%2e/index.html"),  # decoded once, as a web server does
    ("/two words/", "two words/index.html"),
    ("/" + "a" * 200 + "/", "a" * 200 + "/index.html"),
    ("/" + "д" * 100 + "/", "д" * 100 + "/index.html"),
    ("/console/", "console/index.html"),
    ("/com10/", "com10/index.html"),
    ("/con-report/", "con-report/index.html"),
    ("/lpt/", "lpt/index.html"),
    ("/XX/", "XX/index.html"),
])
def test_the_file_that_serves_a_site_path(url: str, name: str) -> None:
    assert file_name(url) == name
    assert file_for(url) == PurePosixPath(name)


@pytest.mark.parametrize(("url", "reason"), [
    ("tags/", "starting with a single '/'"),
    ("", "starting with a single '/'"),
    ("//example.org/x/", "starting with a single '/'"),
    ("/%2Fexample.org/", "starting with a single '/'"),
    ("/a\\b/", "not allowed in a path"),
    ("/a%5Cb/", "not allowed in a path"),
    ("/a\x00b/", "not allowed in a path"),
    ("/a%1Fb/", "not allowed in a path"),
    ("/a//b/", "empty, '.' or '..' segment"),
    ("/./", "empty, '.' or '..' segment"),
    ("/../etc/", "empty, '.' or '..' segment"),
    ("/a/%2E%2E/b/", "empty, '.' or '..' segment"),
    ("/" + "a" * 201 + "/", "longer than 200 bytes"),
    ("/" + "д" * 100 + "a/", "longer than 200 bytes"),
    ("/.htaccess", "starting with '.'"),
    ("/.well-known/x/", "starting with '.'"),
    ("/CON/", "device name on Windows"),
    ("/nul.txt", "device name on Windows"),
    ("/tags/Aux.tar.gz", "device name on Windows"),
    ("/com1/", "device name on Windows"),
    ("/lpt9.log", "device name on Windows"),
    ("/com0/", "device name on Windows"),
    ("/COM¹/", "device name on Windows"),
    ("/lpt³.txt", "device name on Windows"),
    ("/conin$/", "device name on Windows"),
    ("/CONOUT$.log", "device name on Windows"),
    ("/prn /", "device name on Windows"),
    ("/name./", "ending in a space or '.'"),
    ("/name /", "ending in a space or '.'"),
])
def test_paths_that_cannot_be_a_file_of_the_output_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=_escaped(reason)):
        file_name(url)


@pytest.mark.parametrize(("url", "message"), [
    ("tags/", "expected a path starting with a single '/'"),
    ("/a\\b/", "contains a character not allowed in a path"),
    ("/a//b/", "contains an empty, '.' or '..' segment"),
    ("/" + "a" * 201 + "/", "has a part longer than 200 bytes, more than a file name may hold"),
])
def test_each_refusal_is_one_whole_sentence(url: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        file_name(url)
    assert str(caught.value) == message


def _escaped(text: str) -> str:
    return "".join("\\" + c if c in ".$()[]*+?^|\\{}" else c for c in text)


def test_a_device_name_padded_to_eight_characters_is_still_a_device() -> None:
    """Windows trims trailing spaces from the part before the extension."""
    assert "device name" in (part_problem("con     .txt") or "")  # 8 characters before '.'
    assert part_problem("con      .txt") is None  # 9: no longer a device name
    assert part_problem("con\u00a0.txt") is None  # only spaces are trimmed
    assert part_problem("conX.txt") is None
    assert part_problem("AUX.tar.gz") is not None


@pytest.mark.parametrize("part", ["news", "café", "a.b", "com", "2015", "index.html"])
def test_ordinary_parts_have_no_problem(part: str) -> None:
    assert part_problem(part) is None


def test_each_refusal_names_the_part() -> None:
    assert part_problem(".git") == (
        "has the part '.git': names starting with '.' are hidden or mean "
        "something to servers (.htaccess, .git, .well-known)")
    assert part_problem("aux.md") == (
        "has the part 'aux.md', a device name on Windows (CON, PRN, AUX, NUL, "
        "COM1-9, LPT1-9), whatever its extension")
    assert part_problem("end.") == (
        "has the part 'end.', ending in a space or '.' that Windows drops")


@pytest.mark.parametrize(("name", "folded"), [
    ("Tags/Syria/index.html", "tags/syria/index.html"),
    ("ABC", "abc"),
    ("Caf\u00e9", "caf\u00e9"),
    ("Cafe\u0301", "caf\u00e9"),  # decomposed: one file with the composed spelling
    ("CAF\u00c9", "caf\u00e9"),
    ("Straße", "strasse"),
    ("ΣΟΦΊΑ", "σοφία"),
])
def test_names_fold_as_case_and_accent_insensitive_hosts_compare_them(
    name: str, folded: str
) -> None:
    assert fold(name) == folded


@pytest.mark.parametrize(("url", "normal"), [
    ("/", "/"),
    ("/index.html", "/"),
    ("/tags", "/tags/"),
    ("/tags/", "/tags/"),
    ("/tags/index.html", "/tags/"),
    ("/a/b", "/a/b/"),
    ("/feed.xml", "/feed.xml"),
    ("/tags/syria/feed.xml", "/tags/syria/feed.xml"),
])
def test_folder_urls_end_with_a_slash(url: str, normal: str) -> None:
    assert normalize(url) == normal


@pytest.mark.parametrize(("url", "site"), [
    ("https://example.org/archive/", "https://example.org"),
    ("http://localhost:8000/", "http://localhost:8000"),
    ("https://news.example.org", "https://news.example.org"),
])
def test_origin_is_scheme_and_host(url: str, site: str) -> None:
    assert origin(url) == site


def test_term_urls_are_slugs_under_their_folder() -> None:
    assert tag_url("Bashar al-Assad") == "/tags/bashar-al-assad/"
    assert tag_url("SYRIA") == "/tags/syria/"
    assert author_url("José Álvarez") == "/authors/jose-alvarez/"
    assert section_url("World News") == "/sections/world-news/"


@pytest.mark.parametrize(("first", "number", "url"), [
    ("/", 1, "/"),
    ("/", 2, "/page/2/"),
    ("/", 10, "/page/10/"),
    ("/tags/syria/", 1, "/tags/syria/"),
    ("/tags/syria/", 2, "/tags/syria/page/2/"),
    ("/2015/09/", 3, "/2015/09/page/3/"),
])
def test_page_one_is_the_list_itself_and_page_n_is_under_page(
    first: str, number: int, url: str
) -> None:
    assert page_url(first, number) == url


@pytest.mark.parametrize(("first", "number", "url"), [
    ("/", 1, "/page/1/"),
    ("/tags/syria/", 1, "/tags/syria/page/1/"),
    ("/2015/09/", 3, "/2015/09/page/3/"),
])
def test_a_stable_list_numbers_its_pages_from_one_under_page(
    first: str, number: int, url: str
) -> None:
    assert numbered_url(first, number) == url
