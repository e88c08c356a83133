"""The index over all articles: taxonomies, date archives, related articles, neighbours.

Plain data keyed by article id; no HTML. Built once per build and only read after.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from . import urls
from .config import Config
from .digests import digest
from .errors import ContentError
from .model import ArticleHead, Ref, pickled_by_fields
from .slugs import slugify


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A tag, author or section, folded case- and accent-insensitively."""

    slug: str
    """Stable URL part: 'bashar-al-assad'."""
    name: str
    """Display name: the spelling most articles use."""
    url: str
    """Site path of the term's first page."""
    article_ids: tuple[str, ...]
    """Articles carrying the term, newest first."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Period:
    """A year, month or day of the date archive."""

    parts: tuple[int, ...]
    """(year,), (year, month) or (year, month, day)."""
    url: str
    """Site path: /2015/, /2015/09/, /2015/09/18/."""
    article_ids: tuple[str, ...]
    """Articles of the period, newest first."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ResolvedLink:
    """A `related` entry ready to print."""

    title: str
    """Link text: the article's headline, or the title given."""
    url: str | None
    """Site path or outside address; None for a headline that matched no article."""
    external: bool
    """Whether the link leaves the site."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Corrected:
    """One correction of a published article, as the corrections page lists it."""

    article_id: str
    """The article corrected."""
    number: int
    """Which of its `corrections` (0 for the oldest)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MenuLink:
    """A standalone page in the menu."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Edition:
    """The archive in one language: its lists, under its own prefix (/fr/tags/...)."""

    language: str
    """BCP 47 tag in lower case; "" for the site's own language, whose lists have no prefix."""
    newest_first: tuple[str, ...]
    """Its story ids, newest first; ties broken by id."""
    tags: Mapping[str, Term]
    """Tags by slug, in display order."""
    authors: Mapping[str, Term]
    """Authors by slug, in display order."""
    sections: Mapping[str, Term]
    """Sections by slug, in display order."""
    periods: Mapping[tuple[int, ...], Period]
    """Years, months and days that have stories, newest first."""
    corrections: tuple[Corrected, ...]
    """Every correction of its published stories, newest first (see `_corrections`)."""
    menu: tuple[MenuLink, ...] = ()
    """Its published pages with `menu: true`, by `order`, then title."""

    @property
    def prefix(self) -> str:
        """What its URLs start with: "" or "/fr"."""
        return urls.in_language(self.language, "")


@dataclass(frozen=True, slots=True)
class SiteIndex:
    """Everything the pages need to know about the archive as a whole."""

    articles: Mapping[str, ArticleHead]
    """The head of every published article by id: all that pages are planned from."""
    newest_first: tuple[str, ...]
    """All story ids of every language, newest first; ties broken by id."""
    editions: Mapping[str, Edition]
    """The archive of each language, by `Edition.language`: the site's own ("") first."""
    related_articles: Mapping[str, tuple[str, ...]]
    """For each article, the ids of the articles of its language sharing most tags with it."""
    related_links: Mapping[str, tuple[ResolvedLink, ...]]
    """For each article, its `related` entries resolved."""
    older: Mapping[str, str]
    """Article id to the id of the article of its language published just before it."""
    newer: Mapping[str, str]
    """Article id to the id of the article of its language published just after it."""
    related_known: RelatedArticles
    """`related_articles` with what it was computed from, for the next build."""
    pages: tuple[str, ...] = ()
    """Published standalone pages (content/pages/), by id in id order; their heads
    are in `articles`, and they are in no list, feed or count."""
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For each article with translations, their ids, by language ("" first)."""
    refs: Mapping[str, Ref] = field(default_factory=dict)
    """One `Ref` per article, for every page to share: a big archive's pages refer
    to each article many times over."""

    @property
    def every_author(self) -> dict[str, Term]:
        """The authors of every language by slug; the site's own language's term first."""
        editions = reversed(list(self.editions.values()))
        return {slug: term for edition in editions for slug, term in edition.authors.items()}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RelatedArticles:
    """Related articles of every article, and a digest of all they depend on."""

    signature: str
    """Digest of every published article's id, date order and tags, and the count."""
    related: Mapping[str, tuple[str, ...]]


def build_index(
    articles: Iterable[ArticleHead], config: Config, known: RelatedArticles | None = None
) -> tuple[SiteIndex, list[ContentError]]:
    """Index the articles the build publishes; report clashes and dangling references.

    `known`: related articles from an earlier build, reused when the signature
    says no tag, date or article that decides them has changed (the usual case
    for an edit, and the costliest part of the index to compute).
    """
    every_head = list(articles)
    everything = [a for a in every_head if not a.standalone]
    published = [a for a in everything if _is_published(a, config)]
    published.sort(key=lambda a: (-a.date.timestamp(), a.id))
    pages = sorted((a for a in every_head if a.standalone and _is_published(a, config)),
                   key=lambda a: a.id)
    by_id = {a.id: a for a in published}
    order = tuple(by_id)
    by_id.update((a.id, a) for a in pages)
    translations, translation_errors = _translations([*published, *pages])
    errors = (_duplicate_slugs(everything)
              + _duplicate_slugs([a for a in every_head if a.standalone])
              + _duplicate_aliases(published + pages) + translation_errors)
    links, link_errors = _resolve_links(published, everything)
    related = _related_articles(published, config.related_count, known)
    editions = _editions(published, pages)
    neighbours = [pair for edition in editions.values()
                  for pair in pairwise(edition.newest_first)]
    index = SiteIndex(
        articles=by_id,
        newest_first=order,
        editions=editions,
        related_articles=related.related,
        related_links=links,
        older=dict(neighbours),
        newer={older: newer for newer, older in neighbours},
        related_known=related,
        pages=tuple(a.id for a in pages),
        translations=translations,
        refs={article_id: Ref(article_id) for article_id in by_id},
    )
    return index, errors + link_errors


def _editions(published: list[ArticleHead], pages: list[ArticleHead]) -> dict[str, Edition]:
    """The archive of each language that has a story or page, the site's own first
    (`published`: newest first)."""
    languages = sorted({"", *(a.language for a in published), *(p.language for p in pages)})
    return {language: _edition(language, [a for a in published if a.language == language],
                               [p for p in pages if p.language == language])
            for language in languages}


def _edition(language: str, published: list[ArticleHead], pages: list[ArticleHead]) -> Edition:
    def localized(url_of: Callable[[str], str]) -> Callable[[str], str]:
        return lambda name: urls.in_language(language, url_of(name))

    return Edition(
        language=language,
        newest_first=tuple(a.id for a in published),
        tags=_terms(published, lambda a: a.tags, localized(urls.tag_url)),
        authors=_terms(published, lambda a: a.bylines, localized(urls.author_url)),
        sections=_terms(published, lambda a: (a.section,), localized(urls.section_url)),
        periods=_periods(published, language),
        corrections=_corrections(published),
        menu=_menu(pages),
    )


def _translations(
    heads: list[ArticleHead],
) -> tuple[dict[str, tuple[str, ...]], list[ContentError]]:
    """The translations of each article that has some, by language; two articles of one
    language with one key are an error (which of them would a reader be sent to?)."""
    by_key: dict[str, dict[str, ArticleHead]] = defaultdict(dict)
    errors = []
    for head in sorted(heads, key=lambda a: a.id):
        if not head.translation_key:
            continue
        other = by_key[head.translation_key].setdefault(head.language, head)
        if other is not head:
            errors.append(head.error(
                "translation_key",
                f"{head.translation_key!r} is already the key of {other.source}, in the same "
                "language; translations of one story need one key and different languages"))
    found: dict[str, tuple[str, ...]] = {}
    for versions in by_key.values():
        if len(versions) > 1:
            ids = tuple(versions[language].id for language in sorted(versions))
            found.update((article_id, ids) for article_id in ids)
    return found, errors


def _menu(pages: list[ArticleHead]) -> tuple[MenuLink, ...]:
    listed = sorted((p for p in pages if p.menu is not None),
                    key=lambda p: (p.menu, p.title.casefold(), p.id))
    return tuple(MenuLink(p.title, p.url) for p in listed)


def _is_published(article: ArticleHead, config: Config) -> bool:
    if article.draft and not config.drafts:
        return False
    return config.future or article.date <= config.present


def _terms(
    articles: list[ArticleHead],
    names_of: Callable[[ArticleHead], Iterable[str]],
    url_of: Callable[[str], str],
) -> dict[str, Term]:
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for name in names_of(article):
            slug = slugify(name)
            spellings[slug][name] += 1
            members[slug].append(article.id)
    terms = [
        Term(slug, _display_name(spellings[slug]), url_of(slug), tuple(ids))
        for slug, ids in members.items()
    ]
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    return {t.slug: t for t in terms}


def _display_name(spellings: Counter[str]) -> str:
    return min(spellings, key=lambda name: (-spellings[name], name))


def _periods(articles: list[ArticleHead], language: str) -> dict[tuple[int, ...], Period]:
    members: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for article in articles:
        day = article.date
        for parts in ((day.year,), (day.year, day.month), (day.year, day.month, day.day)):
            members[parts].append(article.id)
    keys = sorted(members, reverse=True)
    return {parts: Period(parts, urls.in_language(language, _period_url(parts)),
                          tuple(members[parts])) for parts in keys}


def _period_url(parts: tuple[int, ...]) -> str:
    year, *rest = parts
    return "/" + "/".join([f"{year:04d}", *(f"{p:02d}" for p in rest)]) + "/"


def _corrections(articles: list[ArticleHead]) -> tuple[Corrected, ...]:
    """Every correction, newest first; on one day, the newer story's first, then by
    id, and the later of one story's corrections first (`articles`: newest first)."""
    found = [(-correction.date.toordinal(), position, -number, Corrected(article.id, number))
             for position, article in enumerate(articles)
             for number, correction in enumerate(article.corrections)]
    found.sort(key=lambda entry: entry[:3])
    return tuple(entry[3] for entry in found)


def _related_articles(
    articles: list[ArticleHead], count: int, known: RelatedArticles | None
) -> RelatedArticles:
    signature = digest(repr(count), *(f"{a.id}\0{a.language}\0{a.tags!r}" for a in articles))
    if known and known.signature == signature:
        return known
    return RelatedArticles(signature, _related(articles, count))


def _related(articles: list[ArticleHead], count: int) -> dict[str, tuple[str, ...]]:
    """Top `count` articles by shared tags; more shared first, then newest, then id.

    Articles are numbered newest first, so among equally related ones the
    smallest numbers win. Each tag is a bit set of its articles' numbers (a
    Python int), and the counts of shared tags are added up bit-parallel over
    an article's tags: whole-archive steps in C, never a loop over every article
    that shares a tag, which big tags make quadratic. Articles with the same tags
    share one ranking.
    """
    # A tag of each language is a tag of its own: related articles share the language.
    tags_of = [tuple(sorted({f"{a.language}/{slugify(t)}" for t in a.tags})) for a in articles]
    members = _tag_sets(tags_of, len(articles))
    rankings: dict[tuple[str, ...], list[int]] = {}
    related = {}
    for position, article in enumerate(articles):
        tags = tags_of[position]
        ranking = rankings.get(tags)
        if ranking is None:  # one more than wanted: the ranking holds the article itself
            counts = _bit_counts([members[tag] for tag in tags])
            ranking = rankings[tags] = _best(counts, len(tags), count + 1)
        related[article.id] = tuple(articles[i].id for i in ranking if i != position)[:count]
    return related


def _tag_sets(tags_of: list[tuple[str, ...]], size: int) -> dict[str, int]:
    """Each tag's articles as a bit set of their numbers."""
    bits: dict[str, bytearray] = defaultdict(lambda: bytearray((size + 7) // 8))
    for position, tags in enumerate(tags_of):
        for tag in tags:
            bits[tag][position >> 3] |= 1 << (position & 7)
    return {tag: int.from_bytes(found, "little") for tag, found in bits.items()}


def _bit_counts(sets: list[int]) -> list[int]:
    """Binary digits, lowest first, of how many of `sets` hold each number: number n
    is in `count` of them where bit n of digit i is bit i of `count`."""
    digits: list[int] = []
    for found in sets:
        carry = found
        for i, digit in enumerate(digits):
            digits[i], carry = digit ^ carry, digit & carry
            if not carry:
                break
        if carry:
            digits.append(carry)
    return digits


def _best(digits: list[int], most: int, count: int) -> list[int]:
    """Up to `count` numbers held by the most sets (`most` at most), smallest first
    among equals; numbers held by none are never counted."""
    best: list[int] = []
    if not digits:
        return best
    everything = (1 << max(map(int.bit_length, digits))) - 1
    complements = [everything ^ digit for digit in digits]
    for times in range(most, 0, -1):
        terms = (digit if times >> i & 1 else complements[i] for i, digit in enumerate(digits))
        exactly = functools.reduce(operator.and_, terms)
        best.extend(_lowest(exactly, count - len(best)))
        if len(best) >= count:
            break
    return best


def _lowest(bits: int, count: int) -> list[int]:
    """The `count` smallest numbers of the bit set `bits`, or all when it holds fewer.

    Each step over the whole set costs as much as the set is long, so the newest
    articles, where most rankings fill up, are looked at on their own first.
    """
    found = _lowest_steps(bits & _NEWEST, count, 0)
    if len(found) < count and bits > _NEWEST:
        found += _lowest_steps(bits >> _NEWEST_COUNT, count - len(found), _NEWEST_COUNT)
    return found


def _lowest_steps(bits: int, count: int, offset: int) -> list[int]:
    found: list[int] = []
    while bits and len(found) < count:
        lowest = bits & -bits
        found.append(offset + lowest.bit_length() - 1)
        bits ^= lowest
    return found


_NEWEST_COUNT = 4096
_NEWEST = (1 << _NEWEST_COUNT) - 1


def _duplicate_slugs(articles: list[ArticleHead]) -> list[ContentError]:
    """Slugs used twice in one language, or spelled alike but for case or accents (one
    file on many hosts); a translation may keep its story's slug."""
    first_with: dict[tuple[str, str], ArticleHead] = {}
    errors = []
    for article in sorted(articles, key=lambda a: a.id):
        other = first_with.setdefault((article.language, urls.fold(article.slug)), article)
        if other is not article:
            errors.append(
                article.error(
                    "slug",
                    f"{article.slug!r} is already used by {other.source}"
                    f"{_spelled(other.slug, article.slug)}; "
                    "slugs must be unique (set slug: to tell them apart)",
                )
            )
    return errors


def _duplicate_aliases(articles: list[ArticleHead]) -> list[ContentError]:
    owner: dict[str, ArticleHead] = {urls.fold(a.url): a for a in articles}
    spelling: dict[str, str] = {urls.fold(a.url): a.url for a in articles}
    errors = []
    for article in sorted(articles, key=lambda a: a.id):
        for alias in article.aliases:
            key = urls.fold(alias)
            other = owner.setdefault(key, article)
            taken = spelling.setdefault(key, alias)
            if key == urls.fold(article.url):
                errors.append(article.error(
                    "aliases", f"{alias!r} is the article's own URL{_spelled(taken, alias)}"))
            elif other is not article or taken != alias:
                what = "the URL" if urls.fold(other.url) == key else "an alias"
                errors.append(article.error(
                    "aliases",
                    f"{alias!r} is already {what} of {other.source}{_spelled(taken, alias)}",
                ))
    return errors


def _spelled(taken: str, wanted: str) -> str:
    """How `wanted` clashes with `taken` when they are not spelled the same."""
    if taken == wanted:
        return ""
    return (f" as {taken!r}, one file on hosts that ignore case and accents "
            "(macOS, Windows, many S3 mirrors)")


def _headline_key(title: str) -> str:
    return " ".join(title.casefold().split())


def _resolve_links(
    published: list[ArticleHead], everything: list[ArticleHead]
) -> tuple[dict[str, tuple[ResolvedLink, ...]], list[ContentError]]:
    live = {a.slug: a for a in reversed(published)}  # a slug of many languages: the newest
    in_language = {(a.language, a.slug): a for a in published}
    hidden = {a.slug for a in everything} - live.keys()
    by_title = {_headline_key(a.title): a for a in reversed(published)}
    resolved: dict[str, tuple[ResolvedLink, ...]] = {}
    errors = []
    for article in published:
        links = []
        for position, link in enumerate(article.related):
            if link.url:
                links.append(ResolvedLink(link.title or "", link.url, external=True))
            elif link.slug is None:
                match = by_title.get(_headline_key(link.title or ""))
                shown = ResolvedLink(match.title, match.url, external=False) if match else None
                links.append(shown or ResolvedLink(link.title or "", None, external=False))
            elif link.slug in live:
                target = in_language.get((article.language, link.slug), live[link.slug])
                links.append(ResolvedLink(target.title, target.url, external=False))
            else:
                reason = (
                    "is a draft or dated in the future, so it is not built"
                    if link.slug in hidden
                    else "matches no article"
                )
                errors.append(article.error(f"related[{position}].slug", f"{link.slug!r} {reason}"))
        resolved[article.id] = tuple(links)
    return resolved, errors
