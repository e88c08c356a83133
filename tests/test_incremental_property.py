"""Stateful property test: after any sequence of edits an incremental build equals a clean one.

Hypothesis drives a real site in a temporary folder (8 stories with tags,
bylines, sections and real photos) through random edits: every front-matter
field, stories added, deleted and renamed, a photo's pixels replaced, template
overrides added, edited and removed, static files, and folio.toml. After each
step `folio build` runs incrementally in the site (with `--jobs 1` in one test,
`--jobs 2` in the other) and a clean build (`--clean`, `--jobs 1`) runs on a
copy of the same input; both must exit alike, print the same messages, and the
incremental output/ must hold exactly the clean build's files, byte for byte.
Edits keep the site valid, but for `mistake_then_fix`, which gives a story an
unknown related slug: then both builds must fail alike and output/ must stay as
it was, until the next build, after the mistake is taken out again.

Each run has a fixed seed (the same sequences every time, so CI is reproducible)
and is short in `make test` (8 sequences of up to 15 edits per test). For a
longer search set the number of sequences, of edits per sequence, and a seed to
try other sequences than CI does:

    FOLIO_PROPERTY_EXAMPLES=200 FOLIO_PROPERTY_STEPS=30 FOLIO_PROPERTY_SEED=7 \\
        .venv/bin/pytest tests/test_incremental_property.py

A failure is shrunk to a short sequence (for up to five minutes: every step is
two builds) and printed as the calls that reproduce it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conftest import CONFIG, NOW, REPO, make_site, photo_bytes, run_folio, tree

EXAMPLES = int(os.environ.get("FOLIO_PROPERTY_EXAMPLES", "8"))
STEPS = int(os.environ.get("FOLIO_PROPERTY_STEPS", "15"))
SEED = int(os.environ.get("FOLIO_PROPERTY_SEED", "0"))
PRESENT = datetime.fromisoformat(NOW)

TITLES = ["Talks Resume in Geneva", "Floods Reach the Valley", "Election Night",
          "A Quiet Week", "TALKS RESUME IN GENEVA", "Election night"]
BYLINES = ["Jane Reporter", "John Smith", "Reuters", "Ana Núñez", "ana nunez"]
TAGS = ["Syria", "syria", "Russia", "Zürich", "Zurich", "Elections", "Weather"]
SECTIONS = [None, "News", "Sport", "World", "world"]
# Ties (one instant, two offsets), times of one day (one URL, another order), days of
# the news window, one in the future.
DATES = ["2019-03-02T08:00:00+00:00", "2020-05-01T09:30:00-04:00", "2020-05-01T13:30:00+00:00",
         "2020-05-31T23:30:00-04:00", "2021-12-31T23:59:00+00:00", "2024-02-29T12:00:00+01:00",
         "2026-11-27T01:00:00+00:00", "2026-11-26T10:00:00-05:00", "2026-12-24T09:00:00+00:00",
         "2020-05-01T06:00:00-04:00", "2021-12-31T08:00:00+00:00"]
BODIES = ["A first paragraph.", "A first paragraph.\n\nAnd a second.",
          "## A heading\n\nText with a footnote.[^1]\n\n[^1]: The note.",
          "| a | b |\n| - | - |\n| 1 | 2 |", "Changed *words* here."]
WORDS = ["alpha", "beta", "gamma", "delta"]
PHOTOS = {"images/pic.jpg": (640, 360, "JPEG"), "images/wide.png": (500, 200, "PNG")}
CONFIG_VALUES: dict[str, list[str]] = {
    "per_page": ["2", "3", "5"],
    "pagination": ['"stable"', '"newest-first"'],
    "title": ['"Test Gazette"', '"The Other Gazette"'],
    "description": ['""', '"News of the valley."'],
    "related_count": ["0", "1", "5"],
    "feed_size": ["1", "3", "20"],
    "default_section": ['"News"', '"Dispatches"'],
    "permalink": ['"/{year}/{month}/{day}/{slug}/"', '"/{section}/{slug}/"'],
}
# Where an override of each theme template shows an edit: right after this text.
TEMPLATE_ANCHORS = {
    "article.html": "{% block main %}",
    "list.html": "{% block main %}",
    "base.html": "<head>",
    "partials/card.html": '<h2 class="card-title">',
    "partials/macros.html": "{% macro bylines(names) -%}\n",
}
STATIC_FILES = ["extra.css", "css/folio.css", "files/press-kit.txt"]

pick = st.integers(min_value=0, max_value=63)
"""A story, as an index into the current stories (modulo their number)."""


@dataclass
class Story:
    """What one Markdown file says; written out by `front_matter` and `text`."""

    name: str
    """File stem, unique: the slug when `slug` is unset."""
    title: str
    byline: list[str]
    date: str
    folder: str = ""
    date_prefix: str = ""
    """A date the file name starts with (which the slug leaves out), or ""."""
    body: str = BODIES[0]
    dek: str | None = None
    publication: str | None = None
    updated_hours: int | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    slug: str | None = None
    photo: dict[str, str] | None = None
    related: list[tuple[str, Any]] = field(default_factory=list)
    """("story", key) while that story is live, ("title", t), ("url", t)."""
    draft: bool = False
    aliases: list[str] = field(default_factory=list)
    corrections: list[dict[str, str]] = field(default_factory=list)
    broken: bool = False
    """Whether it also names a related slug no story has (an error once published)."""
    language: str | None = None
    translation_key: str | None = None

    @property
    def file(self) -> str:
        return f"{self.folder}{self.date_prefix}{self.name}.md"

    @property
    def effective_slug(self) -> str:
        return self.slug or self.name

    @property
    def live(self) -> bool:
        return not self.draft and datetime.fromisoformat(self.date) <= PRESENT


story_fields = {
    "title": st.sampled_from(TITLES),
    "byline": st.lists(st.sampled_from(BYLINES), min_size=1, max_size=3, unique=True),
    "date": st.sampled_from(DATES),
    "tags": st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
    "section": st.sampled_from(SECTIONS),
    "body": st.sampled_from(BODIES),
}


def first_stories() -> list[Story]:
    """The site every run starts from: tags, bylines and sections spelled two ways,
    two stories at one instant, one in the news window, one future, one draft."""
    return [
        Story("story-1", TITLES[0], ["Jane Reporter", "Reuters"], DATES[1], section="News",
              tags=["Syria", "Russia"],
              photo={"src": "images/pic.jpg", "alt": "A gradient", "caption": "Sky"}),
        Story("story-2", TITLES[1], ["John Smith"], DATES[2], section="Sport",
              tags=["Weather"], dek="Rain for a week."),
        Story("story-3", TITLES[2], ["Ana Núñez"], DATES[4], section="World",
              tags=["Elections", "Zürich"], body=BODIES[2]),
        Story("story-4", TITLES[3], ["ana nunez"], DATES[5], section="world",
              tags=["Zurich", "syria"], photo={"src": "images/wide.png", "caption": "Dusk"},
              related=[("title", TITLES[2])]),
        Story("story-5", TITLES[5], ["Reuters"], DATES[6], tags=["Syria"],
              related=[("story", 1), ("url", "Elsewhere")], publication="News by VICE"),
        Story("story-6", TITLES[4], ["Jane Reporter"], DATES[8], tags=["Russia"]),
        Story("story-7", TITLES[3], ["John Smith"], DATES[0], tags=["Weather"], draft=True),
        Story("story-8", TITLES[0], ["Jane Reporter", "John Smith"], DATES[3], section="News",
              updated_hours=30, aliases=["/old/story-8/"],
              corrections=[{"date": "2020-06-02", "text": "A date was wrong."}],
              photo={"src": "images/pic.jpg", "credit": "Staff"}),
    ]


def front_matter(story: Story, stories: dict[int, Story]) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": story.title, "byline": story.byline, "date": story.date}
    optional: dict[str, Any] = {
        "dek": story.dek,
        "publication": story.publication,
        "section": story.section,
        "tags": story.tags or None,
        "slug": story.slug,
        "photo": story.photo,
        "related": related_entries(story, stories) or None,
        "draft": story.draft or None,
        "aliases": story.aliases or None,
        "corrections": story.corrections or None,
        "language": story.language,
        "translation_key": story.translation_key,
    }
    if story.updated_hours is not None:
        updated = datetime.fromisoformat(story.date) + timedelta(hours=story.updated_hours)
        optional["updated"] = updated.isoformat()
    meta.update({k: v for k, v in optional.items() if v is not None})
    return meta


def related_entries(story: Story, stories: dict[int, Story]) -> list[dict[str, str]]:
    """The `related` list as written: a link to a story that is gone, a draft or
    future goes, as an editor would take it out."""
    entries = []
    for kind, value in story.related:
        if kind == "story":
            target = stories.get(value)
            if target is not None and target is not story and target.live:
                entries.append({"slug": target.effective_slug})
        elif kind == "title":
            entries.append({"title": value})
        else:
            entries.append({"title": value, "url": "https://example.org/elsewhere"})
    if story.broken:
        entries.append({"slug": "no-such-story-anywhere"})
    return entries


def text(story: Story, stories: dict[int, Story]) -> str:
    meta = yaml.safe_dump(front_matter(story, stories), sort_keys=False, allow_unicode=True)
    return f"---\n{meta}---\n{story.body}\n"


def config_text(values: dict[str, str]) -> str:
    return "".join(f"{key} = {value}\n" for key, value in values.items())


class IncrementalBuilds(RuleBasedStateMachine):
    """A site edited step by step; each step's incremental build is checked."""

    jobs = "1"

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="folio-property-"))
        self.site = self.folder / "site"
        self.stories: dict[int, Story] = {}
        self.config = {line.split(" = ")[0]: line.split(" = ")[1]
                       for line in CONFIG.splitlines()}
        self.counter = 0
        self.last_good: dict[str, bytes] | None = None

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    def story(self, index: int) -> Story:
        return self.stories[sorted(self.stories)[index % len(self.stories)]]

    # --- writing the model out, building, comparing ----------------------------------------

    def sync(self) -> None:
        """Write every story whose text changed, delete files no story has."""
        content = self.site / "content"
        wanted = {s.file: text(s, self.stories) for s in self.stories.values()}
        for path in content.rglob("*.md"):
            if path.relative_to(content).as_posix() not in wanted:
                path.unlink()
        for name, source in wanted.items():
            path = content / name
            if not path.exists() or path.read_text(encoding="utf-8") != source:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(source, encoding="utf-8")
        (self.site / "folio.toml").write_text(config_text(self.config), encoding="utf-8")

    def build_and_compare(self) -> None:
        self.sync()
        incremental = run_folio("build", "--site", self.site, "--now", NOW, "--quiet",
                                "--jobs", self.jobs)
        clean_site = self.folder / "clean"
        shutil.rmtree(clean_site, ignore_errors=True)
        shutil.copytree(self.site, clean_site, symlinks=True, ignore=shutil.ignore_patterns(
            ".folio-cache", "output", ".output.*"))
        clean = run_folio("build", "--site", clean_site, "--now", NOW, "--quiet",
                          "--jobs", "1", "--clean")
        assert (incremental.code, incremental.err.replace(str(self.site), "SITE")) == (
            clean.code, clean.err.replace(str(clean_site), "SITE")), incremental.err
        if any(s.broken and s.live for s in self.stories.values()) or self.translations_clash():
            assert incremental.code == 1, incremental.err
            assert tree(self.site / "output") == self.last_good, "a failed build changed output/"
            return
        assert incremental.code == 0, incremental.err
        built = tree(self.site / "output")
        expected = tree(clean_site / "output")
        assert_same_files(built, expected)
        self.last_good = built

    def translations_clash(self) -> bool:
        """Whether two published stories of one language share a translation key."""
        versions = [(s.translation_key, s.language or "en") for s in self.stories.values()
                    if s.live and s.translation_key]
        return len(versions) != len(set(versions))

    @initialize()
    def start(self) -> None:
        images: dict[str, str | bytes] = {
            src: photo_bytes(w, h, kind) for src, (w, h, kind) in PHOTOS.items()}
        make_site(self.site, images, config_text(self.config))
        for story in first_stories():
            self.counter += 1
            self.stories[self.counter] = story
        self.build_and_compare()

    # --- front matter ------------------------------------------------------------------------

    @rule(index=pick, title=st.sampled_from(TITLES))
    def edit_title(self, index: int, title: str) -> None:
        self.story(index).title = title
        self.build_and_compare()

    @rule(index=pick, dek=st.sampled_from([None, "A dek.", "Another dek."]))
    def edit_dek(self, index: int, dek: str | None) -> None:
        self.story(index).dek = dek
        self.build_and_compare()

    @rule(index=pick, publication=st.sampled_from([None, "News by VICE", "Valley Desk"]))
    def edit_publication(self, index: int, publication: str | None) -> None:
        self.story(index).publication = publication
        self.build_and_compare()

    @rule(index=pick, body=st.sampled_from(BODIES))
    def edit_body(self, index: int, body: str) -> None:
        self.story(index).body = body
        self.build_and_compare()

    @rule(index=pick, date=st.sampled_from(DATES))
    def edit_date(self, index: int, date: str) -> None:
        self.story(index).date = date
        self.build_and_compare()

    @rule(index=pick, hours=st.sampled_from([None, 1, 30, 800]))
    def edit_updated(self, index: int, hours: int | None) -> None:
        self.story(index).updated_hours = hours
        self.build_and_compare()

    @rule(index=pick, byline=story_fields["byline"])
    def edit_byline(self, index: int, byline: list[str]) -> None:
        self.story(index).byline = byline
        self.build_and_compare()

    @rule(index=pick, tags=story_fields["tags"])
    def edit_tags(self, index: int, tags: list[str]) -> None:
        self.story(index).tags = tags
        self.build_and_compare()

    @rule(index=pick, section=st.sampled_from(SECTIONS))
    def edit_section(self, index: int, section: str | None) -> None:
        self.story(index).section = section
        self.build_and_compare()

    @rule(index=pick, language=st.sampled_from([None, "fr", "en", "de"]))
    def edit_language(self, index: int, language: str | None) -> None:
        self.story(index).language = language
        self.build_and_compare()

    @rule(index=pick, key=st.sampled_from([None, "talks", "fire"]))
    def edit_translation_key(self, index: int, key: str | None) -> None:
        self.story(index).translation_key = key
        self.build_and_compare()

    @rule(index=pick, explicit=st.booleans())
    def edit_slug(self, index: int, explicit: bool) -> None:
        self.story(index).slug = self.new_name("slug") if explicit else None
        self.build_and_compare()

    @rule(index=pick, src=st.sampled_from([None, *sorted(PHOTOS)]),
          alt=st.sampled_from(["", "A gradient"]), caption=st.sampled_from(["", "Sky", "Dusk"]),
          credit=st.sampled_from(["", "Staff"]))
    def set_photo(self, index: int, src: str | None, alt: str, caption: str,
                  credit: str) -> None:
        """A photo, with or without alt, caption and credit; or none (src None)."""
        photo = {"src": src, "alt": alt, "caption": caption, "credit": credit}
        self.story(index).photo = {k: v for k, v in photo.items() if v} if src else None
        self.build_and_compare()

    @rule(index=pick, caption=st.sampled_from(["Sky", "Dusk", "Night"]))
    def edit_photo_caption(self, index: int, caption: str) -> None:
        story = self.story(index)
        story.photo = {**(story.photo or {"src": "images/pic.jpg"}), "caption": caption}
        self.build_and_compare()

    @rule(index=pick, kind=st.sampled_from(["story", "title", "url", "none"]), other=pick,
          title=st.sampled_from(TITLES))
    def edit_related(self, index: int, kind: str, other: int, title: str) -> None:
        """One more entry: another story, a headline, an outside page; or none at all."""
        story = self.story(index)
        if kind == "none":
            story.related = []
        else:
            target = sorted(self.stories)[other % len(self.stories)]
            story.related.append((kind, target if kind == "story" else title))
        self.build_and_compare()

    @rule(index=pick, add=st.booleans())
    def edit_aliases(self, index: int, add: bool) -> None:
        """One more old path, or none at all."""
        story = self.story(index)
        story.aliases = [*story.aliases, f"/old/{self.new_name('path')}/"] if add else []
        self.build_and_compare()

    @rule(index=pick, draft=st.booleans())
    def set_draft(self, index: int, draft: bool) -> None:
        self.story(index).draft = draft
        self.build_and_compare()

    @rule(index=pick, day=st.sampled_from([None, "2021-01-05", "2026-11-27"]),
          words=st.sampled_from(["The date was wrong.", "A name was misspelled."]))
    def edit_corrections(self, index: int, day: str | None, words: str) -> None:
        """One more correction, or none at all (day None)."""
        story = self.story(index)
        story.corrections = [*story.corrections, {"date": day, "text": words}] if day else []
        self.build_and_compare()

    @rule(index=pick)
    def mistake_then_fix(self, index: int) -> None:
        """A mistake (when the story is published, the build fails), then its fix."""
        story = self.story(index)
        story.broken = True
        self.build_and_compare()
        story.broken = False
        self.build_and_compare()

    # --- files under content/ ----------------------------------------------------------------

    @rule(fields=st.fixed_dictionaries(story_fields), draft=st.booleans())
    def new_story(self, fields: dict[str, Any], draft: bool) -> None:
        name = self.new_name("added")
        self.stories[self.counter] = Story(name=name, draft=draft, **fields)
        self.build_and_compare()

    @precondition(lambda self: len(self.stories) > 2)
    @rule(index=pick)
    def remove_story(self, index: int) -> None:
        del self.stories[sorted(self.stories)[index % len(self.stories)]]
        self.build_and_compare()

    @rule(index=pick, folder=st.sampled_from(["", "world/"]),
          date_prefix=st.sampled_from(["", "2020-01-02-"]))
    def rename_story(self, index: int, folder: str, date_prefix: str) -> None:
        story = self.story(index)
        story.name, story.folder, story.date_prefix = self.new_name("moved"), folder, date_prefix
        self.build_and_compare()

    @rule(src=st.sampled_from(sorted(PHOTOS)), width=st.sampled_from([300, 640, 1000]))
    def replace_photo_file(self, src: str, width: int) -> None:
        kind = PHOTOS[src][2]
        (self.site / "content" / src).write_bytes(photo_bytes(width, width // 2, kind))
        self.build_and_compare()

    @rule(words=st.sampled_from([None, *WORDS]))
    def edit_content_file(self, words: str | None) -> None:
        """A non-Markdown file under content/, copied as it is."""
        path = self.site / "content" / "docs" / "note.txt"
        if words is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"Note: {words}\n", encoding="utf-8")
        self.build_and_compare()

    # --- templates, static files, folio.toml -------------------------------------------------

    @rule(name=st.sampled_from(sorted(TEMPLATE_ANCHORS)), word=st.sampled_from(WORDS))
    def override_template(self, name: str, word: str) -> None:
        anchor = TEMPLATE_ANCHORS[name]
        theme = (REPO / "themes" / "default" / "templates" / name).read_text(encoding="utf-8")
        assert anchor in theme, f"{name} no longer has {anchor!r}"
        path = self.site / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(theme.replace(anchor, f"{anchor}<!-- {word} -->", 1), encoding="utf-8")
        self.build_and_compare()

    @rule(name=st.sampled_from(sorted(TEMPLATE_ANCHORS)))
    def remove_template_override(self, name: str) -> None:
        (self.site / "templates" / name).unlink(missing_ok=True)
        self.build_and_compare()

    @rule(name=st.sampled_from(STATIC_FILES), word=st.sampled_from([None, *WORDS]))
    def edit_static_file(self, name: str, word: str | None) -> None:
        path = self.site / "static" / name
        if word is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"/* {word} */\n", encoding="utf-8")
        self.build_and_compare()

    @rule(key=st.sampled_from(sorted(CONFIG_VALUES)), choice=st.integers(0, 2))
    def edit_config(self, key: str, choice: int) -> None:
        values = CONFIG_VALUES[key]
        self.config[key] = values[choice % len(values)]
        self.build_and_compare()


def assert_same_files(built: dict[str, bytes], expected: dict[str, bytes]) -> None:
    """output/ equals the clean build's; on failure, name the files that differ."""
    missing = sorted(expected.keys() - built.keys())
    extra = sorted(built.keys() - expected.keys())
    differing = sorted(n for n in built.keys() & expected.keys() if built[n] != expected[n])
    assert not (missing or extra or differing), (
        f"incremental output/ differs from a clean build: missing {missing[:10]}, "
        f"extra {extra[:10]}, different bytes {differing[:10]}")


PROPERTY = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@seed(SEED * 2 + 1)  # the two runs try different sequences
class OneJob(IncrementalBuilds):
    jobs = "1"


@seed(SEED * 2 + 2)
class TwoJobs(IncrementalBuilds):
    jobs = "2"


@pytest.mark.parametrize("machine", [OneJob, TwoJobs], ids=["jobs-1", "jobs-2"])
def test_incremental_build_equals_clean_build_after_any_edits(
    machine: type[IncrementalBuilds],
) -> None:
    run_state_machine_as_test(machine, settings=PROPERTY)
