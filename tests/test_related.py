"""Related articles: the best matches by shared tags, for any tags at all.

The index counts shared tags bit-parallel (archive._related); here every
result is compared with the definition, counted one article at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.archive import _lowest, _related
from generator.site.model import ArticleHead
from generator.site.slugs import slugify

TAGS = ["Syria", "syria", "Russia", "Oil", "Zürich", "Zurich", "Trade", "Courts", "Music"]
START = datetime(2015, 9, 18, tzinfo=UTC)


def story(number: int, tags: list[str]) -> ArticleHead:
    return ArticleHead(
        id=f"{number:03d}.md", slug=f"s{number}", url=f"/s{number}/", title=f"S{number}",
        bylines=("Jane Reporter",), date=START - timedelta(hours=number), section="News",
        tags=tuple(tags),
    )


def by_definition(articles: list[ArticleHead], count: int) -> dict[str, tuple[str, ...]]:
    """Most shared tags first, then newest (the list is newest first), then id."""
    tags = [{slugify(t) for t in a.tags} for a in articles]
    related = {}
    for mine, article in zip(tags, articles, strict=True):
        shared = [(-len(mine & theirs), position, other.id)
                  for position, (theirs, other) in enumerate(zip(tags, articles, strict=True))
                  if other is not article and mine & theirs]
        related[article.id] = tuple(found for *_, found in sorted(shared)[:count])
    return related


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TAGS), max_size=6), max_size=40),
       st.integers(min_value=0, max_value=7))
def test_related_articles_match_the_definition(tag_lists: list[list[str]], count: int) -> None:
    articles = [story(number, tags) for number, tags in enumerate(tag_lists)]
    assert _related(articles, count) == by_definition(articles, count)


@given(st.sets(st.integers(min_value=0, max_value=20_000)), st.integers(min_value=0, max_value=9))
def test_the_smallest_numbers_of_a_bit_set_anywhere_in_a_big_archive(
    numbers: set[int], count: int
) -> None:
    """Rankings are read from the newest 4,096 articles first, then from the rest."""
    bits = sum(1 << number for number in numbers)
    assert _lowest(bits, count) == sorted(numbers)[:count]
