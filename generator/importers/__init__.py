"""`folio import`: existing archives (plain text, feeds, WordPress, other generators) into content/.

Readers turn each input into drafts (one per story) or refusals; `interpret`
checks every field the way Folio will; the writer places each story in its
own file without touching existing ones; the report says what happened to
every input. Nothing is written in a dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..site.config import Config
from ..site.errors import UsageError, display_path
from . import feed, generators, images, text, wordpress
from .interpret import interpret
from .outside import Pointed, head_of, new_archive, point_outside
from .profiles import known_people, people_of, write_profiles
from .report import LINK_NOT_ANSWERED, ImportReport, Outcome
from .settings import adopt_settings, inferred_settings
from .source_site import SourceSite, address_of, read_source_site
from .sources import walk
from .story import Draft, FileReader, Item, ReadOptions, Refused, Story, failed
from .templates import Links, story_links
from .writer import Placer, article_url, in_old_case


@dataclass(frozen=True, slots=True)
class Format:
    """One kind of input."""

    suffixes: tuple[str, ...]
    """File endings read when SOURCE is a folder."""
    opener: Callable[[Path, ReadOptions], FileReader]
    """Makes the reader of one SOURCE (a generator's reads the site's authors data once)."""
    html: bool = False
    """Bodies are HTML rather than Markdown."""
    maps: bool = True
    """Has keys that `--map KEY=FIELD` can rename."""
    files: Callable[[Path, tuple[str, ...]], Iterator[Path]] = walk
    """The files of one SOURCE that hold its stories."""
    finish: Callable[[Draft, Story, Links], Story] = lambda draft, story, links: story
    """The story once every story of the import is known (its template links resolved)."""
    old_site: Callable[[Path], images.OldSite] | None = None
    """Where the site at SOURCE kept the image files its posts name; None: only URLs."""


def _each_file(
    read: Callable[[Path, str, ReadOptions], Iterator[Item]],
) -> Callable[[Path, ReadOptions], FileReader]:
    """The opener of a format whose files are read each on its own."""
    return lambda root, options: lambda path, source: read(path, source, options)


FORMATS: Mapping[str, Format] = {
    "text": Format(text.SUFFIXES, _each_file(text.read), maps=False),
    "feed": Format(feed.SUFFIXES, _each_file(feed.read), html=True),
    "wordpress": Format(wordpress.SUFFIXES, _each_file(wordpress.read), html=True),
    **{
        name: Format(
            generators.SUFFIXES, generators.opener(name), files=generators.files(name),
            finish=generators.finisher(dialect), old_site=partial(images.old_site, name),
        )
        for name, dialect in generators.DIALECTS.items()
    },
}


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """The arguments of one `folio import`."""

    format: str
    """A key of FORMATS."""
    sources: tuple[Path, ...]
    """Files or folders to read."""
    into: Path
    """Folder the Markdown files go to (in a sub-folder per year)."""
    dry_run: bool = False
    """Report what would be written; write nothing."""
    mappings: tuple[str, ...] = ()
    """`--map KEY=FIELD` arguments."""
    suffix: bool = True
    """On a slug clash, write `slug-2.md` (True) or skip the story (False)."""
    default_byline: str = "Staff"
    """Byline of stories whose source names no author."""
    pages: bool = False
    """Import WordPress pages as well as posts."""
    force: bool = False
    """Replace folio.toml settings the old site's configuration says otherwise."""
    source_base_url: str = ""
    """The old site's address, for links to its pages the archive does not hold; ""
    to take it from the old site's configuration."""


def run_import(request: ImportRequest, config: Config) -> ImportReport:
    """Import every story of `request.sources`; a broken input fails alone."""
    kind = _format(request)
    settings, taken = _settings(request, config)
    config = replace(config, **taken)
    options = ReadOptions(config.zone, parse_map(request.mappings), request.pages)
    placer = Placer(request.into, config, suffix=request.suffix, dry_run=request.dry_run)
    readings = [
        (source, item, item if isinstance(item, Refused) else in_old_case(
            interpret(item, config.zone, request.default_byline, config.max_tags), config))
        for source in request.sources
        for item in _items(source, kind, options)
    ]
    links = _links([story for _, _, story in readings if isinstance(story, Story)], config)
    sites = {source: kind.old_site(source) if kind.old_site else None
             for source in request.sources}
    finished = [
        images.gather(kind.finish(item, story, links), sites[source])
        if isinstance(item, Draft) and isinstance(story, Story) else story
        for source, item, story in readings
    ]
    archive = new_archive(config, (
        head_of(story, article_url(config, story, story.slug), config)
        for story in finished if isinstance(story, Story)
    ))
    outcomes = tuple(
        _settle(
            point_outside(story, archive, _address(request, story), kind.html)
            if isinstance(story, Story) else (story, Pointed("")),
            placer, request.default_byline, config, kind.html,
        )
        for story in finished
    )
    written = [story for story, outcome in zip(finished, outcomes, strict=True)
               if isinstance(story, Story) and outcome.status in ("imported", "unchanged")]
    return ImportReport(
        outcomes, request.dry_run, request.default_byline, not config.markdown_html, settings,
        profiles=tuple(_profiles(request, written, config)),
    )


def _profiles(request: ImportRequest, stories: list[Story], config: Config) -> list[str]:
    """Write the author profiles the import found roles, bios or photos for."""
    source = request.sources[0] if len(request.sources) == 1 else None
    known = (known_people(source) if source and source.is_dir()
             and request.format in generators.DIALECTS else {})
    inside = request.into.resolve().is_relative_to(config.content_dir.resolve())
    folder = (config.content_dir if inside else request.into) / "authors"
    return write_profiles(people_of(stories, known, config.language), folder, config,
                          request.dry_run)


def _links(stories: list[Story], config: Config) -> Links:
    """Where each story will be, by the names its source's templates give it."""
    return story_links(
        (story.source, article_url(config, story, story.slug), story.aliases) for story in stories
    )


def _settings(request: ImportRequest, config: Config
              ) -> tuple[tuple[str, ...], dict[str, Any]]:
    """What folio.toml took from the old site's configuration, when SOURCE is its root:
    what the report says of it, and the settings the import itself goes by."""
    site = _source_site(request)
    if site is None:
        return (), {}
    toml = config.site_dir / "folio.toml"
    said, taken_text = adopt_settings(toml, inferred_settings(site), request.force, request.dry_run)
    taken: dict[str, Any] = dict(taken_text)
    if "base_url" in taken:
        taken["base_url"] = taken["base_url"].rstrip("/") + "/"
    return tuple(said), taken


def _source_site(request: ImportRequest) -> SourceSite | None:
    """The old site whose root SOURCE is, if it is one."""
    if request.format not in generators.DIALECTS or len(request.sources) != 1:
        return None
    try:
        return read_source_site(request.format, request.sources[0])
    except ValueError:  # reported as the input's failure
        return None


def _address(request: ImportRequest, story: Story) -> str:
    """The old site's base URL for the links of `story`: `--source-base-url`, else the
    one its configuration gives the story's folder, or its WordPress export's header;
    "" when none says."""
    if request.source_base_url:
        return request.source_base_url
    if request.format == "wordpress":
        return wordpress.blog_address(Path(story.source.rsplit(" #", 1)[0]))
    site = _source_site(request)
    return address_of(site, Path(story.source)) if site else ""


def _format(request: ImportRequest) -> Format:
    kind = FORMATS.get(request.format)
    if kind is None:
        raise UsageError(f"unknown format {request.format!r}; expected one of {', '.join(FORMATS)}")
    if request.mappings and not kind.maps:
        raise UsageError(f"--map does not apply to {request.format} imports")
    if request.pages and request.format != "wordpress":
        raise UsageError("--pages applies to wordpress imports only")
    if not request.default_byline.strip():
        raise UsageError("--default-byline must name someone")
    address = urlsplit(request.source_base_url)
    if request.source_base_url and (address.scheme not in ("http", "https") or not address.netloc
                                    or address.query or address.fragment):
        raise UsageError("--source-base-url expects the old site's address, such as "
                         f"https://www.example.org/, got {request.source_base_url!r}")
    return kind


def parse_map(mappings: tuple[str, ...]) -> dict[str, str]:
    """`--map KEY=FIELD` arguments as {key in lower case: field}."""
    found = {}
    for mapping in mappings:
        key, _, field = mapping.partition("=")
        if not key.strip() or not field.strip():
            raise UsageError(f"--map expects KEY=FIELD, got {mapping!r}")
        found[key.strip().lower()] = field.strip()
    return found


def _items(source: Path, kind: Format, options: ReadOptions) -> Iterator[Item]:
    if not source.exists():
        yield failed(str(source), "does not exist")
        return
    try:
        read = kind.opener(source, options)
        paths = list(kind.files(source, kind.suffixes))
    except ValueError as exc:  # the old site's configuration cannot be read
        yield failed(str(source), str(exc))
        return
    if not paths:
        yield failed(str(source), f"holds no {' or '.join(kind.suffixes)} files")
    for path in paths:
        yield from read(path, str(path))


def _settle(
    pointed: tuple[Story | Refused, Pointed], placer: Placer, default_byline: str,
    config: Config, html: bool,
) -> Outcome:
    story, links = pointed
    if isinstance(story, Refused):
        return Outcome(story.source, "failed" if story.failed else "skipped", story.reason)
    placement = placer.place(story)
    shown = display_path(placement.path, config.site_dir)
    if placement.status == "skipped":
        reason = f"not written: the slug {story.slug!r} is already used by {shown}"
        return Outcome(story.source, "skipped", reason, story.warnings)
    warnings = story.warnings + (
        (f"no byline in the source; wrote {default_byline!r}",)
        if story.default_byline and not story.page else ()
    ) + tuple(
        f"{LINK_NOT_ANSWERED}line {placement.body_line + line - 1}: {link} is no page of the "
        "archive; give the old site's address with --source-base-url, or add the path to "
        "[links] outside in folio.toml"
        for line, link in links.kept
    )
    return Outcome(
        story.source, placement.status, shown, warnings, story.default_byline and not story.page,
        story.placeholders, html or story.html, len(placement.copied), story.missing_images,
        links.rewritten, story.aliases,
    )
