"""The site index: order, tie-breaks, terms, periods, neighbours and what it refuses.

Articles are made by hand and every expected id, name and URL is written out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from generator.site.archive import RelatedArticles, _lowest, build_index
from generator.site.config import Config
from generator.site.model import ArticleHead, RelatedLink

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
EASTERN = timezone(timedelta(hours=-4))


def config(**fields: Any) -> Config:
    return Config(**{"title": "T", "base_url": "https://news.example/", "now": NOW, **fields})


def story(name: str, when: datetime, **fields: Any) -> ArticleHead:
    slug = fields.pop("slug", name)
    return ArticleHead(
        id=f"{name}.md", slug=slug, url=fields.pop("url", f"/{slug}/"),
        title=fields.pop("title", name.title()), bylines=fields.pop("bylines", ("Jane",)),
        date=when, section=fields.pop("section", "News"), **fields,
    )


def day(n: int, hour: int = 9) -> datetime:
    return datetime(2020, 5, n, hour, 0, tzinfo=UTC)


def test_newest_first_with_stories_of_one_instant_in_id_order() -> None:
    same = datetime(2020, 5, 2, 13, 0, tzinfo=UTC)
    index, errors = build_index([
        story("b", same),
        story("old", day(1)),
        story("c", same.astimezone(EASTERN)),  # 09:00-04:00: the same instant
        story("new", day(3)),
        story("a", same),
    ], config())
    assert errors == []
    assert index.newest_first == ("new.md", "a.md", "b.md", "c.md", "old.md")
    assert list(index.articles) == ["new.md", "a.md", "b.md", "c.md", "old.md"]


def test_neighbours_are_the_stories_just_before_and_after() -> None:
    index, _ = build_index([story("one", day(1)), story("three", day(3)),
                            story("two", day(2))], config())
    assert index.older == {"three.md": "two.md", "two.md": "one.md"}
    assert index.newer == {"one.md": "two.md", "two.md": "three.md"}
    assert dict(index.refs) == {"three.md": ("three.md",), "two.md": ("two.md",),
                                "one.md": ("one.md",)}


def test_drafts_and_future_stories_are_left_out_unless_asked_for() -> None:
    stories = [story("due", NOW), story("later", NOW + timedelta(seconds=1)),
               story("draft", day(1), draft=True), story("past", day(1))]
    assert build_index(stories, config())[0].newest_first == ("due.md", "past.md")
    assert build_index(stories, config(future=True))[0].newest_first == (
        "later.md", "due.md", "past.md")
    assert build_index(stories, config(drafts=True))[0].newest_first == (
        "due.md", "draft.md", "past.md")


def test_terms_are_sorted_by_name_ignoring_case() -> None:
    index, _ = build_index([
        story("s1", day(1), tags=("zebra", "Apple")),
        story("s2", day(2), tags=("banana", "Échecs", "Ärzte")),
        story("s3", day(3), tags=("Cherry",)),
    ], config())
    assert [t.name for t in index.editions[""].tags.values()] == [
        "Apple", "banana", "Cherry", "zebra", "Ärzte", "Échecs"]
    assert list(index.editions[""].tags) == [
        "apple", "banana", "cherry", "zebra", "arzte", "echecs"]


def test_a_term_is_named_by_its_most_used_spelling_and_lists_its_stories_newest_first() -> None:
    index, _ = build_index([
        story("s1", day(1), tags=("syria",)),
        story("s2", day(2), tags=("Syria",)),
        story("s3", day(3), tags=("Syria", "Oil")),
        story("s4", day(4), tags=("SYRIA",)),
    ], config())
    syria = index.editions[""].tags["syria"]
    assert (syria.slug, syria.name, syria.url) == ("syria", "Syria", "/tags/syria/")
    assert syria.article_ids == ("s4.md", "s3.md", "s2.md", "s1.md")
    assert index.editions[""].tags["oil"].article_ids == ("s3.md",)


def test_spellings_used_equally_often_give_the_first_in_code_point_order() -> None:
    index, _ = build_index([
        story("s1", day(1), tags=("syria",)), story("s2", day(2), tags=("Syria",)),
        story("s3", day(3), tags=("SYRIA",)),
    ], config())
    assert index.editions[""].tags["syria"].name == "SYRIA"


def test_authors_and_sections_are_terms_under_their_own_folders() -> None:
    index, _ = build_index([
        story("s1", day(1), bylines=("José Álvarez", "Li Wei"), section="World"),
        story("s2", day(2), bylines=("Jose Alvarez",), section="world"),
        story("s3", day(3), bylines=("jose alvarez",), section="Culture"),
    ], config())
    home = index.editions[""]
    assert {slug: (t.name, t.url, t.article_ids) for slug, t in home.authors.items()} == {
        "jose-alvarez": ("Jose Alvarez", "/authors/jose-alvarez/",
                         ("s3.md", "s2.md", "s1.md")),
        "li-wei": ("Li Wei", "/authors/li-wei/", ("s1.md",)),
    }
    assert {slug: (t.name, t.url, t.article_ids) for slug, t in home.sections.items()} == {
        "culture": ("Culture", "/sections/culture/", ("s3.md",)),
        "world": ("World", "/sections/world/", ("s2.md", "s1.md")),
    }
    assert list(index.editions[""].authors) == ["jose-alvarez", "li-wei"]


def test_periods_are_years_months_and_days_newest_first() -> None:
    index, _ = build_index([
        story("a", datetime(2019, 12, 31, 23, 0, tzinfo=EASTERN)),
        story("b", datetime(2020, 2, 3, 8, 0, tzinfo=UTC)),
        story("c", datetime(2020, 2, 3, 7, 0, tzinfo=UTC)),
        story("d", datetime(2020, 11, 9, 8, 0, tzinfo=UTC)),
        story("e", datetime(999, 1, 2, 8, 0, tzinfo=UTC)),
    ], config())
    assert [(p.parts, p.url, p.article_ids) for p in index.editions[""].periods.values()] == [
        ((2020, 11, 9), "/2020/11/09/", ("d.md",)),
        ((2020, 11), "/2020/11/", ("d.md",)),
        ((2020, 2, 3), "/2020/02/03/", ("b.md", "c.md")),
        ((2020, 2), "/2020/02/", ("b.md", "c.md")),
        ((2020,), "/2020/", ("d.md", "b.md", "c.md")),
        ((2019, 12, 31), "/2019/12/31/", ("a.md",)),  # its own date, not UTC's
        ((2019, 12), "/2019/12/", ("a.md",)),
        ((2019,), "/2019/", ("a.md",)),
        ((999, 1, 2), "/0999/01/02/", ("e.md",)),
        ((999, 1), "/0999/01/", ("e.md",)),
        ((999,), "/0999/", ("e.md",)),
    ]


def test_related_articles_count_shared_tags_then_recency() -> None:
    index, _ = build_index([
        story("s1", day(1), tags=("a", "b")),
        story("s2", day(2), tags=("a",)),
        story("s3", day(3), tags=("a", "b")),
        story("s4", day(4), tags=("c",)),
        story("s5", day(5), tags=("A", "B")),
    ], config(related_count=2))
    assert index.related_articles == {
        "s5.md": ("s3.md", "s1.md"),
        "s4.md": (),
        "s3.md": ("s5.md", "s1.md"),
        "s2.md": ("s5.md", "s3.md"),
        "s1.md": ("s5.md", "s3.md"),
    }


def test_related_articles_known_from_the_last_build_are_reused_only_when_still_right() -> None:
    stories = [story("s1", day(1), tags=("a",)), story("s2", day(2), tags=("a",))]
    first, _ = build_index(stories, config())
    known = first.related_known
    assert build_index(stories, config(), known)[0].related_known is known
    stale = RelatedArticles(known.signature, {"s1.md": (), "s2.md": ()})
    assert build_index(stories, config(), stale)[0].related_articles == stale.related
    retagged = [stories[0], story("s2", day(2), tags=("b",))]
    assert build_index(retagged, config(), known)[0].related_articles == {
        "s2.md": (), "s1.md": ()}
    assert build_index(stories, config(related_count=0), known)[0].related_articles == {
        "s2.md": (), "s1.md": ()}


def test_related_entries_resolve_by_slug_headline_or_address() -> None:
    index, errors = build_index([
        story("target", day(1), title="Council Passes  Budget"),
        story("hidden", day(1), draft=True),
        story("reader", day(2), related=(
            RelatedLink("target", None, None),
            RelatedLink(None, "council passes budget", None),
            RelatedLink(None, "No Such Headline", None),
            RelatedLink(None, "Wire copy", "https://wire.example/x"),
            RelatedLink(None, None, "https://wire.example/untitled"),
            RelatedLink(None, None, None),
            RelatedLink("hidden", None, None),
            RelatedLink("missing", None, None),
        )),
    ], config())
    assert [(link.title, link.url, link.external)
            for link in index.related_links["reader.md"]] == [
        ("Council Passes  Budget", "/target/", False),
        ("Council Passes  Budget", "/target/", False),
        ("No Such Headline", None, False),
        ("Wire copy", "https://wire.example/x", True),
        ("", "https://wire.example/untitled", True),
        ("", None, False),
    ]
    assert [str(e) for e in errors] == [
        "content/reader.md: related[6].slug: 'hidden' is a draft or dated in the future, "
        "so it is not built",
        "content/reader.md: related[7].slug: 'missing' matches no article",
    ]


def test_a_headline_shared_by_two_stories_links_to_the_newest() -> None:
    index, _ = build_index([
        story("older", day(1), title="Same Words"),
        story("newer", day(2), title="Same Words"),
        story("reader", day(3), related=(RelatedLink(None, "same words", None),)),
    ], config())
    assert index.related_links["reader.md"][0].url == "/newer/"


def test_slugs_used_twice_or_alike_but_for_case_are_refused_after_the_first_by_id() -> None:
    _, errors = build_index([
        story("b", day(2), slug="budget", url="/2/budget/"),
        story("a", day(1), slug="budget", url="/1/budget/"),
        story("c", day(3), slug="Budget", url="/3/Budget/"),
        story("d", day(4), slug="other", draft=True, url="/other/"),
        story("e", day(5), slug="other", url="/5/other/"),
    ], config())
    assert [str(e) for e in errors] == [
        "content/b.md: slug: 'budget' is already used by content/a.md; "
        "slugs must be unique (set slug: to tell them apart)",
        "content/c.md: slug: 'Budget' is already used by content/a.md as 'budget', one file "
        "on hosts that ignore case and accents (macOS, Windows, many S3 mirrors); "
        "slugs must be unique (set slug: to tell them apart)",
        "content/e.md: slug: 'other' is already used by content/d.md; "
        "slugs must be unique (set slug: to tell them apart)",
    ]


def test_aliases_on_a_url_or_another_alias_are_refused() -> None:
    _, errors = build_index([
        story("a", day(1), aliases=("/old-a/", "/a/", "/B/")),
        story("b", day(2), aliases=("/old-a/", "/Old-A/")),
        story("c", day(3), aliases=("/fresh/",)),
    ], config())
    assert [str(e) for e in errors] == [
        "content/a.md: aliases: '/a/' is the article's own URL",
        "content/a.md: aliases: '/B/' is already the URL of content/b.md as '/b/', one file "
        "on hosts that ignore case and accents (macOS, Windows, many S3 mirrors)",
        "content/b.md: aliases: '/old-a/' is already an alias of content/a.md",
        "content/b.md: aliases: '/Old-A/' is already an alias of content/a.md as '/old-a/', "
        "one file on hosts that ignore case and accents (macOS, Windows, many S3 mirrors)",
    ]


@pytest.mark.parametrize("count", [0, 1])
def test_an_empty_archive_has_no_terms_or_periods(count: int) -> None:
    index, errors = build_index([story("d", day(1), draft=True)][:count], config())
    home = index.editions[""]
    assert (index.newest_first, dict(home.tags), dict(home.periods), errors) == ((), {}, {}, [])


def test_the_smallest_numbers_of_a_bit_set_are_no_more_than_asked() -> None:
    bits = 1 << 5 | 0b1111 << 5000
    assert _lowest(bits, 3) == [5, 5000, 5001]
    assert _lowest(bits, 1) == [5]
    assert _lowest(bits, 9) == [5, 5000, 5001, 5002, 5003]
