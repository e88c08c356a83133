"""Article bodies, from fixture files in markdown-it-py's `input . expected` form."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_core.normalize import normalize as markdown_it_normalize

from generator.site.markdown import make_parser, render_body
from generator.site.slugs import is_valid_slug, slugify

FIXTURES = Path(__file__).parent / "fixtures" / "markdown.txt"


def read_fixtures(path: Path) -> list[tuple[str, str, str]]:
    """(title, input, expected) triples separated by lines holding a single '.'."""
    cases = []
    for block in path.read_text(encoding="utf-8").split("\n.\n\n"):
        title, source, expected = block.rstrip(".\n").split("\n.\n")
        cases.append((title, source + "\n", expected + "\n"))
    return cases


@pytest.mark.parametrize(("title", "source", "expected"), read_fixtures(FIXTURES),
                         ids=[case[0] for case in read_fixtures(FIXTURES)])
def test_body_rendering(title: str, source: str, expected: str) -> None:
    assert render_body(make_parser(allow_html=False), source) == expected


def test_windows_and_old_mac_line_endings_and_nul_characters() -> None:
    source = "First line\r\nsame paragraph\r\rOld Mac\rending\n\nnul\0here\r\n"
    assert render_body(make_parser(allow_html=False), source) == (
        "<p>First line\nsame paragraph</p>\n<p>Old Mac\nending</p>\n<p>nul\ufffdhere</p>\n"
    )


@given(st.lists(st.sampled_from(["\r\n", "\r", "\n", "\n\n", "\0", "word", "# ", "- ", "    ",
                                 "> ", "```", "|a|b|\n|-|-|", "[^1]", "[^1]: note", "\u2028"]))
                .map("".join))
def test_line_endings_are_normalised_as_markdown_it_does(source: str) -> None:
    """Folio replaces markdown-it's first rule by a faster one: same output."""
    stock = make_parser(allow_html=False)
    stock.core.ruler.at("normalize", markdown_it_normalize)
    assert render_body(make_parser(allow_html=False), source) == render_body(stock, source)


@given(st.lists(st.text(st.sampled_from("aZ09/.:?#%&= <>()[]\\äü\u00a0-"), max_size=12)
                .map(lambda link: f"[x](<{link}>) [y]({link.replace(' ', '')})"),
                max_size=4).map(" and ".join))
def test_links_are_normalised_as_markdown_it_does(source: str) -> None:
    """Folio remembers markdown-it's link normalisation across stories: same output,
    the first time and every time after."""
    stock = make_parser(allow_html=False)
    stock.normalizeLink = normalizeLink  # type: ignore[method-assign]
    for _ in range(2):
        assert render_body(make_parser(allow_html=False), source) == render_body(stock, source)


@pytest.mark.parametrize(("text", "slug"), [
    ("Bashar al-Assad", "bashar-al-assad"),
    ("Zürich", "zurich"),
    ("ZURICH", "zurich"),
    ("Москва", "москва"),
    ("São Paulo — Brasil", "sao-paulo-brasil"),
    ("  U.S. / Russia talks  ", "u-s-russia-talks"),
    ("snake_case_name", "snake-case-name"),
    ("../../etc/passwd", "etc-passwd"),
    ("!!!", ""),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@given(st.text())
def test_slugs_are_stable_and_safe(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
    assert slug == "" or is_valid_slug(slug)
    assert "/" not in slug and ".." not in slug
