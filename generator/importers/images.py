"""Images of imported stories: found in the old site, copied beside each story.

The lead photo and the body images of a generator's post name files of the
old site: a root-relative path (`/img/a.png`), a path relative to the post's
file (a Hugo page bundle, Pelican's `{static}`), or a URL on the old site's
own address. Each is looked for where that generator kept such files (Hugo's
static/, assets/ and content folders, Jekyll's site root, Eleventy's input
folders and passthrough copies, Pelican's content folder) and copied to a
folder named as the story beside its file: `content/2015/slug.md` shows
`content/2015/slug/a.png`. A file already there is never replaced: identical
bytes are shared, other bytes take a `-2` suffix. An image found nowhere is
reported with the files it could have been and the story keeps it as written
(the photo as `source_photo`). Outside URLs stay.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..site.model import Photo
from ..site.slugs import slugify
from .code import code_lines
from .source_site import SourceSite, read_source_site
from .story import LocalImage, MissingImage, Story

# Alt text may run over lines (not over a blank one: that ends the paragraph).
_MARKDOWN_IMAGE = re.compile(r"(?P<lead>!\[(?:[^\]\\\n]|\\.|\n(?![ \t]*\n))*\]\(\s*)"
                             r"(?:<(?P<angled>[^>\n]*)>"
                             r"|(?P<bare>[^\s)<]+))")
_HTML_IMAGE = re.compile(r"(?P<lead><img\b[^>]*?\ssrc\s*=\s*)(?:\"(?P<dq>[^\"]*)\""
                         r"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'>]+))", re.IGNORECASE)
_PASSTHROUGH = re.compile(r"addPassthroughCopy\(\s*\{(?P<pairs>[^}]*)\}")
_PAIR = re.compile(r"""(['"])(?P<source>[^'"]+)\1\s*:\s*(['"])(?P<target>[^'"]*)\3""")
_PELICAN_MARKER = re.compile(r"^\{(?:static|filename|attach)\}")
"""Pelican's `{static}/images/a.png`: a file of the content folder."""
_ELEVENTY_CONFIGS = (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs",
                     "eleventy.config.mjs")

Change = Callable[[str, bool], str | None]
"""A body image's new address given its address and whether it is in HTML; None keeps it."""


@dataclass(frozen=True, slots=True)
class OldSite:
    """Where an old site kept the files its pages name."""

    home: Path
    """The site's root: the limit of paths relative to a post."""
    folders: tuple[tuple[str, Path], ...]
    """(site path prefix, folder) pairs a root-relative path is looked for in, in order."""
    base_path: str = ""
    """The old site's path prefix ("/blog"), which its root-relative paths may carry."""
    hosts: frozenset[str] = frozenset()
    """Host names of the old site, whose http(s) URLs name its own files."""

    def local_path(self, reference: str) -> str | None:
        """The path `reference` names in this site; None for an outside or in-page address."""
        parts = urlsplit(_PELICAN_MARKER.sub("", reference.strip()))
        if (parts.scheme or parts.netloc) and not (
            parts.scheme.lower() in ("", "http", "https") and parts.netloc.lower() in self.hosts
        ):
            return None
        return unquote(parts.path) or None

    def find(self, path: str, story_file: Path) -> tuple[Path | None, tuple[str, ...]]:
        """The file `path` names for the post at `story_file`, or None and where it looked."""
        looked: list[str] = []
        for file, limit in self._candidates(path, story_file):
            if file.is_file() and file.resolve().is_relative_to(limit.resolve()):
                return file, ()
            looked.append(_shown(file, self.home))
        return None, tuple(dict.fromkeys(looked))

    def _candidates(self, path: str, story_file: Path) -> Iterator[tuple[Path, Path]]:
        if not path.startswith("/"):
            yield story_file.parent / posixpath.normpath(path), self.home
        rooted = posixpath.normpath("/" + path.lstrip("/"))
        base = self.base_path
        unprefixed = rooted[len(base):] if base and rooted.startswith(base + "/") else rooted
        for site_path in dict.fromkeys([unprefixed, rooted]):
            for prefix, folder in self.folders:
                if site_path.startswith(prefix):
                    yield folder / site_path[len(prefix):].lstrip("/"), folder


def old_site(generator: str, source: Path) -> OldSite:
    """Where the `generator` site at (or around) `source` kept its files."""
    try:
        site = read_source_site(generator, source)
    except ValueError:  # already reported as the input's failure
        site = None
    home = source if source.is_dir() else source.parent
    bases = [home] if site else [home, *list(home.parents)[:2]]
    folders = [pair for base in bases for pair in _folders(generator, base, site)]
    base_url = site.settings.get("base_url", "") if site else ""
    urls = [base_url, *(root.base_url for root in site.roots)] if site else []
    hosts = frozenset(urlsplit(url).netloc.lower() for url in urls if urlsplit(url).netloc)
    return OldSite(bases[-1], tuple(folders), urlsplit(base_url).path.rstrip("/"), hosts)


def _folders(generator: str, base: Path, site: SourceSite | None) -> list[tuple[str, Path]]:
    if generator == "hugo":
        themes = sorted((base / "themes").glob("*/static")) if (base / "themes").is_dir() else []
        contents = [root.folder for root in site.roots] if site else [base / "content"]
        return [("/", folder) for folder in [base / "static", base / "assets", *contents,
                                              *themes]]
    if generator == "eleventy":
        inputs = [base / name for name in ("src", "content", "posts") if (base / name).is_dir()]
        return [*_passthrough(base), *(("/", folder) for folder in [base, *inputs])]
    return [("/", base)]


def _passthrough(base: Path) -> list[tuple[str, Path]]:
    """Eleventy's `addPassthroughCopy({"src/img": "img"})`: files served under another path."""
    found = []
    for name in _ELEVENTY_CONFIGS:
        config = base / name
        text = config.read_text(encoding="utf-8", errors="replace") if config.is_file() else ""
        for block in _PASSTHROUGH.finditer(text):
            for pair in _PAIR.finditer(block["pairs"]):
                prefix = "/" + pair["target"].strip("/")
                found.append((prefix.rstrip("/") + "/", base / pair["source"]))
    return found


def gather(story: Story, site: OldSite | None) -> Story:
    """`story` with the old site's files its photo and body name (`images`), and those it
    does not hold (`missing_images`, each a warning; the photo then kept as source_photo)."""
    finder = _Finder(site, Path(story.source))
    photo, extra, warnings = story.photo, dict(story.extra), list(story.warnings)
    if photo and photo.src and not finder.look(photo.src, "photo") and _is_path(photo.src):
        extra["source_photo"] = _as_written(photo)
        warnings.append(f"photo: {finder.why(photo.src)}; kept as source_photo")
        photo = None
    if site is not None:
        rewrite_images(story.body, finder.visit)
    missing = tuple(dict.fromkeys(finder.missing))
    warnings += [f"body: image {finder.why(image.reference)}; left as written"
                 for image in missing if image.field == "body"]
    images = tuple(LocalImage(reference, file) for reference, file in finder.found.items())
    return replace(story, photo=photo, extra=extra, warnings=tuple(warnings), images=images,
                   missing_images=missing)


class _Finder:
    """The images of one story looked for in the old site: those found, those missing."""

    def __init__(self, site: OldSite | None, story_file: Path) -> None:
        self.site = site
        self.story_file = story_file
        self.found: dict[str, Path] = {}
        self.missing: list[MissingImage] = []

    def look(self, reference: str, field: str) -> bool:
        """Whether `reference` names a file of the old site that is there."""
        path = self.site.local_path(reference) if self.site else None
        if self.site is None or path is None:
            return False
        file, looked = self.site.find(path, self.story_file)
        if file is not None:
            self.found[reference] = file
        elif _is_path(reference):  # an old-site URL not found here still works as a URL
            self.missing.append(MissingImage(field, reference, looked))
        return file is not None

    def visit(self, reference: str, in_html: bool) -> None:
        self.look(reference, "body")

    def why(self, reference: str) -> str:
        if self.site is None:
            return (f"{reference!r} is not an http(s) URL (copy the file under content/ and "
                    "set photo.src)")
        looked = next((m.looked_for for m in self.missing if m.reference == reference), ())
        return f"{reference!r} is not in the old site (looked for {', '.join(looked)})"


def _is_path(reference: str) -> bool:
    """A path, not a URL with a scheme or a host."""
    parts = urlsplit(reference)
    return not parts.scheme and not parts.netloc


def _as_written(photo: Photo) -> str | dict[str, str]:
    parts = {"src": photo.src, "alt": photo.alt, "caption": photo.caption, "credit": photo.credit}
    given = {key: value for key, value in parts.items() if value}
    return given["src"] if list(given) == ["src"] else given


def _shown(file: Path, home: Path) -> str:
    try:
        return file.relative_to(home).as_posix()
    except ValueError:
        return file.as_posix()


def rewrite_images(body: str, change: Change) -> str:
    """`body` with the address of each image (Markdown and HTML `<img>`, outside code)
    replaced by `change`."""
    code = code_lines(body)
    runs = groupby(enumerate(body.split("\n")), key=lambda numbered: numbered[0] in code)
    return "\n".join(
        text if inside else _rewrite_text(text, change)
        for inside, run in runs
        for text in ["\n".join(line for _, line in run)]
    )


def _rewrite_text(text: str, change: Change) -> str:
    def markdown(match: re.Match[str]) -> str:
        address = match["angled"] if match["angled"] is not None else match["bare"]
        new = change(address, False)
        if new is None:
            return match[0]
        return match["lead"] + (f"<{new}>" if re.search(r"[\s()<>]", new) else new)

    def tag(match: re.Match[str]) -> str:
        address = next(v for v in match.group("dq", "sq", "bare") if v is not None)
        new = change(address, True)
        return match[0] if new is None else f'{match["lead"]}"{new}"'

    return _HTML_IMAGE.sub(tag, _MARKDOWN_IMAGE.sub(markdown, text))


class Shelf:
    """Chooses where one import run copies each story's images, remembering its choices."""

    def __init__(self, content_dir: Path, base_path: str, *, dry_run: bool) -> None:
        self.content_dir = content_dir
        self.base_path = base_path
        self.dry_run = dry_run
        self.claimed: dict[Path, Path] = {}

    def place(self, story: Story, folder: Path) -> tuple[Story, tuple[tuple[Path, Path], ...]]:
        """`story` pointing at its images in `folder` (beside its file), and the copies
        (old file, new file) still to make."""
        if not story.images:
            return story, ()
        named: dict[Path, Path] = {}
        for image in story.images:
            if image.file not in named:
                named[image.file] = self._target(image.file, folder, set(named.values()))
        under = _relative(folder, self.content_dir)
        where = {image.reference: named[image.file].name for image in story.images}

        def change(reference: str, in_html: bool) -> str | None:
            name = where.get(reference)
            if name is None:
                return None
            return f"{self.base_path}/{under}/{name}" if in_html else f"{folder.name}/{name}"

        photo = story.photo
        if photo and photo.src in where:
            photo = replace(photo, src=f"{under}/{where[photo.src]}")
        copies = tuple((file, target) for file, target in named.items()
                       if target not in self.claimed and not target.exists())
        return replace(story, photo=photo, body=rewrite_images(story.body, change)), copies

    def _target(self, file: Path, folder: Path, taken: set[Path]) -> Path:
        stem, suffix = slugify(file.stem) or "image", file.suffix.lower()
        number = 1
        while True:
            target = folder / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
            holder = self.claimed.get(target, target if target.exists() else None)
            if target not in taken and (holder is None or _same_bytes(holder, file)):
                return target
            number += 1

    def copy(self, copies: tuple[tuple[Path, Path], ...]) -> None:
        """Claim each copy's target for this run and, unless a dry run, make the copy
        (never over an existing file)."""
        for file, target in copies:
            self.claimed[target] = file
            if not self.dry_run and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                with file.open("rb") as old, target.open("xb") as new:
                    shutil.copyfileobj(old, new)


def _relative(folder: Path, content_dir: Path) -> str:
    """`folder` as a path under content/ (under the import's folder when elsewhere)."""
    resolved = folder.resolve()
    content = content_dir.resolve()
    if resolved.is_relative_to(content):
        return resolved.relative_to(content).as_posix()
    return folder.parent.name + "/" + folder.name


def _same_bytes(one: Path, other: Path) -> bool:
    if one == other:
        return True
    return one.stat().st_size == other.stat().st_size and one.read_bytes() == other.read_bytes()
