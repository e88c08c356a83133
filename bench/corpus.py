"""A seeded, deterministic corpus of wire-style stories, written as three sites.

    python bench/corpus.py --articles 10000 --out bench/work/corpus [--seed 1]

writes OUT/folio/ (folio.toml as a user writes it, so search on, + content/*.md),
OUT/hugo/ (hugo.toml, content/posts/*.md, layouts/) and OUT/pelican/ (pelicanconf.py,
content/*.md, theme/): the same stories with the same taxonomies, pagination (10) and
feed size (20) in each tool's own format. The Hugo and Pelican templates and settings
live in bench/sites/ and are copied as they are.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import prose

SITES = Path(__file__).resolve().parent / "sites"
TOOLS = ("folio", "hugo", "pelican")
TAGS, AUTHORS = 500, 200
BODY_CHARS = 7000
FIRST_DAY, DAYS = datetime(2015, 1, 1), 3652
OFFSETS = ["-05:00", "-04:00", "+00:00", "+01:00", "+02:00", "+03:00"]


@dataclass(frozen=True, slots=True)
class Photo:
    src: str
    alt: str
    caption: str
    credit: str


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    title: str
    dek: str
    bylines: list[str]
    moment: datetime
    """Local wall-clock time, 09:00-17:59, so the calendar day is the same in any zone used."""
    offset: str
    """"-04:00" and the like, or "" for a date without one (the site zone, UTC)."""
    section: str
    tags: list[str]
    photo: Photo | None
    related: list[Story]
    body: str

    @property
    def date_text(self) -> str:
        return self.moment.isoformat() + self.offset

    @property
    def path(self) -> str:
        """The article URL all three sites use: /YYYY/MM/DD/slug/."""
        return f"/{self.moment:%Y/%m/%d}/{self.slug}/"


def make_stories(count: int, seed: int) -> list[Story]:
    rng = random.Random(seed)
    tags, authors = prose.tag_names(TAGS), prose.author_names(AUTHORS)
    tag_weights = [1 / (rank + 20) for rank in range(len(tags))]
    pool = prose.paragraph_pool(rng, min(4000, 40 + count // 2), authors)
    moments = _moments(rng, count)
    stories: list[Story] = []
    for number, moment in enumerate(moments):
        picked = _distinct(rng, tags, tag_weights, rng.randint(3, 7))
        stories.append(_story(rng, number, moment, picked, authors, pool, stories))
    return stories


def _moments(rng: random.Random, count: int) -> list[datetime]:
    """Distinct publication times spread over ten years, oldest first."""
    seen: set[datetime] = set()
    while len(seen) < count:
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        seen.add(day + timedelta(hours=rng.randint(9, 17), minutes=rng.randrange(60)))
    return sorted(seen)


def _distinct(rng: random.Random, names: list[str], weights: list[float], k: int) -> list[str]:
    picked: dict[str, None] = {}
    while len(picked) < k:
        picked[rng.choices(names, weights)[0]] = None
    return list(picked)


def _story(
    rng: random.Random,
    number: int,
    moment: datetime,
    tags: list[str],
    authors: list[str],
    pool: list[str],
    earlier: list[Story],
) -> Story:
    title = prose.headline(rng, tags)
    lead = f"{moment:%B %d, %Y} — {prose.paragraph(rng, authors)}"
    return Story(
        slug=f"{_slug(title)}-{number:06d}",
        title=title,
        dek=prose.dek(rng),
        bylines=rng.sample(authors, rng.choices([1, 2, 3], [70, 22, 8])[0]),
        moment=moment,
        offset=rng.choice(OFFSETS) if rng.random() < 0.7 else "",
        section=rng.choice(prose.SECTIONS),
        tags=tags,
        photo=_photo(rng, number) if rng.random() < 0.3 else None,
        related=_related(rng, number, earlier),
        body=prose.body(rng, pool, lead, BODY_CHARS),
    )


def _related(rng: random.Random, number: int, earlier: list[Story]) -> list[Story]:
    """Every fifth story links one or two recent ones by slug."""
    if not earlier or number % 5:
        return []
    return rng.sample(earlier[-500:], min(len(earlier), rng.randint(1, 2)))


def _slug(title: str) -> str:
    """ASCII words joined by hyphens, so every tool keeps the slug exactly as written."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = ("".join(c for c in word if c.isalnum()) for word in ascii_title.lower().split())
    return "-".join(word for word in words if word)


def _photo(rng: random.Random, number: int) -> Photo:
    place = rng.choice(prose.PLACES)
    return Photo(
        src=f"https://images.example.net/wire/{number:06d}.jpg",
        alt=f"A street scene in {place}",
        caption=f"People gather in {place} on the day of the announcement.",
        credit=rng.choice(prose.AGENCIES),
    )


# --- Folio -------------------------------------------------------------------------------

FOLIO_TOML = """\
title = "Bench Wire Archive"
base_url = "https://bench.example.org/"
description = "A generated archive of wire stories for benchmarks."
timezone = "UTC"
per_page = 10
feed_size = 20
default_section = "News"
organizations = {organizations}
"""


def write_folio(stories: list[Story], root: Path) -> None:
    _reset(root, {"folio.toml": FOLIO_TOML.format(organizations=json.dumps(prose.AGENCIES))})
    _write_all(root / "content", stories, _folio_name, folio_source)


def late_stories(count: int, seed: int) -> list[Story]:
    """`count` stories dated after every story of a corpus, an hour apart, oldest first,
    with the corpus's tags and bylines: what a newsroom publishes next."""
    after = FIRST_DAY + timedelta(days=DAYS + 1)
    return [replace(story, slug=f"late-{story.slug}", moment=after + timedelta(hours=number),
                    offset="", related=[])
            for number, story in enumerate(make_stories(count, seed + 1))]


def add_folio_stories(stories: list[Story], site: Path) -> list[Path]:
    """Write `stories` into the Folio site `site`; the files written."""
    _write_all(site / "content", stories, _folio_name, folio_source)
    return [site / "content" / _folio_name(story) for story in stories]


def _folio_name(story: Story) -> str:
    return f"{story.moment:%Y-%m-%d}-{story.slug}.md"


def folio_source(story: Story) -> str:
    lines = [
        f"title: {_q(story.title)}",
        f"dek: {_q(story.dek)}",
        f"byline: {_q(story.bylines)}",
        f"date: {story.date_text}",
        f"section: {_q(story.section)}",
        f"tags: {_q(story.tags)}",
    ]
    if story.photo:
        lines.append("photo:")
        lines += [f"  {key}: {_q(getattr(story.photo, key))}" for key in Photo.__slots__]
    if story.related:
        lines.append("related:")
        lines += [f"  - slug: {other.slug}" for other in story.related]
    return _front_matter(lines, story.body)


# --- Hugo --------------------------------------------------------------------------------


def write_hugo(stories: list[Story], root: Path) -> None:
    _reset(root, {}, SITES / "hugo")
    _write_all(root / "content" / "posts", stories, lambda s: f"{s.slug}.md", hugo_source)


def hugo_source(story: Story) -> str:
    lines = [
        f"title: {_q(story.title)}",
        f"dek: {_q(story.dek)}",
        f"slug: {story.slug}",
        f"date: {story.date_text}",
        f"authors: {_q(story.bylines)}",
        f"sections: {_q([story.section])}",
        f"tags: {_q(story.tags)}",
        *_hugo_archive(story),
    ]
    if story.photo:
        lines.append("photo:")
        lines += [f"  {key}: {_q(getattr(story.photo, key))}" for key in Photo.__slots__]
    if story.related:
        lines.append(f"related: {_q([other.slug for other in story.related])}")
    return _front_matter(lines, story.body)


def _hugo_archive(story: Story) -> list[str]:
    """Hugo has no date archives: year, month and day taxonomies stand in for Folio's."""
    return [
        f"years: ['{story.moment:%Y}']",
        f"months: ['{story.moment:%Y-%m}']",
        f"days: ['{story.moment:%Y-%m-%d}']",
    ]


# --- Pelican -----------------------------------------------------------------------------


def write_pelican(stories: list[Story], root: Path) -> None:
    _reset(root, {}, SITES / "pelican")
    _write_all(root / "content", stories, lambda s: f"{s.slug}.md", pelican_source)


def pelican_source(story: Story) -> str:
    """Pelican's `Key: value` headers; lists are comma-separated (no name holds a comma)."""
    headers = {
        "Title": story.title,
        "Summary": story.dek,
        "Slug": story.slug,
        "Date": story.date_text,
        "Authors": ", ".join(story.bylines),
        "Category": story.section,
        "Tags": ", ".join(story.tags),
    }
    if story.photo:
        headers |= {f"Photo_{key}": getattr(story.photo, key) for key in Photo.__slots__}
    if story.related:
        headers["Related"] = " ".join(other.path for other in story.related)
    head = "".join(f"{key}: {value}\n" for key, value in headers.items())
    return f"{head}\n{story.body}"


# --- Writing -----------------------------------------------------------------------------


def _q(value: str | list[str]) -> str:
    """A YAML scalar or flow list: JSON is valid YAML and escapes everything needed."""
    return json.dumps(value, ensure_ascii=False)


def _front_matter(lines: list[str], body: str) -> str:
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def _reset(root: Path, files: dict[str, str], template: Path | None = None) -> None:
    if root.exists():
        shutil.rmtree(root)
    if template:
        shutil.copytree(template, root)
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def _write_all(
    folder: Path,
    stories: Iterable[Story],
    name: Callable[[Story], str],
    source: Callable[[Story], str],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for story in stories:
        (folder / name(story)).write_text(source(story), encoding="utf-8")


def write_corpus(out: Path, articles: int, seed: int, tools: Iterable[str] = TOOLS) -> None:
    stories = make_stories(articles, seed)
    writers: dict[str, Callable[[Path], None]] = {
        "folio": lambda root: write_folio(stories, root),
        "hugo": lambda root: write_hugo(stories, root),
        "pelican": lambda root: write_pelican(stories, root),
    }
    for tool in tools:
        writers[tool](out / tool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000, metavar="N")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    args = parser.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    if unknown := set(tools) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    write_corpus(args.out, args.articles, args.seed, tools)
    print(f"{args.articles} articles in {', '.join(str(args.out / t) for t in tools)}")


if __name__ == "__main__":
    main()
