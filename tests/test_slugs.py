"""Slugs: the words of a name as a URL part, each expectation written out by hand."""

from __future__ import annotations

import hashlib

import pytest

from generator.site.slugs import is_valid_slug, slug_of, slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("Bashar al-Assad", "bashar-al-assad"),
    ("Zürich", "zurich"),
    ("Москва", "москва"),
    ("Côte d'Ivoire", "cote-d-ivoire"),
    ("İstanbul", "istanbul"),
    ("Straße", "strasse"),
    ("ﬁnance", "finance"),
    ("  Budget:  2024 —  Final!  ", "budget-2024-final"),
    ("snake_case_name", "snake-case-name"),
    ("--already-a-slug--", "already-a-slug"),
    ("北京 奥运", "北京-奥运"),
    ("Αθήνα", "αθηνα"),
    ("?!", ""),
])
def test_a_name_becomes_lower_case_words_joined_by_hyphens(text: str, slug: str) -> None:
    assert slug_of(text) == slug
    assert slugify(text) == slug


def test_a_slug_of_exactly_120_bytes_is_kept_whole() -> None:
    assert slug_of("a" * 120) == "a" * 120
    assert slug_of("д" * 60) == "д" * 60  # two bytes each


def _digest(slug: str) -> str:
    """The documented tail: ten hex digits of BLAKE2b over the whole slug."""
    return hashlib.blake2b(slug.encode(), digest_size=5).hexdigest()


def test_a_slug_of_121_bytes_is_cut_to_a_prefix_and_a_digest_of_the_whole() -> None:
    long = "a" * 121
    assert slug_of(long) == "a" * 109 + "-" + _digest(long)
    assert len(slug_of(long).encode()) == 120


def test_a_cut_never_splits_a_character_or_ends_the_prefix_with_a_hyphen() -> None:
    cyrillic = "д" * 61  # 122 bytes: byte 109 falls inside the 55th letter
    assert slug_of(cyrillic) == "д" * 54 + "-" + _digest(cyrillic)
    words = "a" * 108 + " " + "b" * 20  # the cut falls just after the hyphen
    assert slug_of(words) == "a" * 108 + "-" + _digest("a" * 108 + "-" + "b" * 20)


def test_two_long_names_sharing_a_prefix_get_different_slugs() -> None:
    first, second = slug_of("x" * 200 + " one"), slug_of("x" * 200 + " two")
    assert first != second
    assert first[:110] == second[:110] == "x" * 109 + "-"


@pytest.mark.parametrize("slug", ["a", "abc", "a-b", "a--b", "2024", "москва", "a" * 120,
                                  "д" * 60, "Capital"])
def test_valid_slugs(slug: str) -> None:
    assert is_valid_slug(slug)


@pytest.mark.parametrize("slug", ["", "-a", "a-", "-", "_a", "a_", "a b", "a/b", "a.b",
                                  "a" * 121, "д" * 61])
def test_invalid_slugs(slug: str) -> None:
    assert not is_valid_slug(slug)
