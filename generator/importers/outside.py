"""Root-relative links that the new archive will not answer, pointed at the old site.

An old site's bodies link to its other pages by path (`/careers/`,
`/what/fellowships/apply/`). A link the new archive answers stays as it is: a
story's URL or alias, a list page Folio builds, a static file or content file of
the site, or a path under `[links] outside`. Any other link (an `href`, in
Markdown or HTML; image sources are left alone) is made absolute on the old
site (`--source-base-url`, else its configuration's base URL), where it still
leads, so the build's link check passes. With no old address known it stays,
and the report names its line, so `folio check` failing on it is expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

from ..site import urls
from ..site.archive import build_index
from ..site.config import Config
from ..site.content import load_batch
from ..site.model import ArticleHead
from ..site.pages import plan_pages
from ..site.sources import find_sources
from ..site.theme_paths import static_files
from .code import code_lines
from .story import Story

_PATH = r"/(?!/)[^\s\"'<>()]*"
_HREF = re.compile(rf"""(?P<lead>\bhref\s*=\s*["']?)(?P<link>{_PATH})""", re.I)
_INLINE = re.compile(rf"\]\(\s*<?(?P<link>{_PATH})")
_REFERENCE = re.compile(rf"^[ ]{{0,3}}\[(?P<label>[^\]]+)\]:[ \t]*<?(?P<link>{_PATH})", re.M)


@dataclass(frozen=True, slots=True)
class NewArchive:
    """What the site will answer once the import is built."""

    files: frozenset[str]
    """Output files of every page the build plans, static file and content file."""
    outside: tuple[str, ...]
    """`[links] outside`, as the file-name prefixes the link check skips."""
    base_path: str
    """The path part of the new site's base_url ("" or "/archive")."""

    def answers(self, link: str) -> bool:
        """The site path `link` (with any ?query or #fragment) leads to a file of the site."""
        path = urlsplit(link).path
        if self.base_path:
            if path != self.base_path and not path.startswith(self.base_path + "/"):
                return False
            path = path[len(self.base_path):] or "/"
        try:
            name = urls.file_name(path)
        except ValueError:
            return False
        return name in self.files or any(name.startswith(prefix) for prefix in self.outside)


@dataclass(frozen=True, slots=True)
class Pointed:
    """A body with its links outside the archive made absolute."""

    body: str
    """The body as it is written."""
    rewritten: int = 0
    """Links now pointing at the old site."""
    kept: tuple[tuple[int, str], ...] = ()
    """(line of the body, link) of each link the archive does not answer, left as it
    was for want of the old site's address."""


def new_archive(config: Config, heads: Iterable[ArticleHead]) -> NewArchive:
    """The archive as the site's content and the stories `heads` will make it, drafts
    and future stories included: every imported story answers its links."""
    whole = replace(config, drafts=True, future=True, related_count=0)
    sources = find_sources(config.content_dir)
    loaded = load_batch(whole, [source.relative for source in sources.markdown])
    existing = [outcome.loaded.article.head for outcome in loaded if outcome.loaded]
    index, _ = build_index([*existing, *heads], whole)
    files = {path.as_posix() for path, _ in static_files(config)}
    planned = [page.url for page in plan_pages(index, whole)]
    for url in [*planned, *(asset.url for asset in sources.assets)]:
        try:
            files.add(urls.file_name(url))
        except ValueError:  # the build reports it
            continue
    return NewArchive(frozenset(files), tuple(path.lstrip("/") for path in config.links_outside),
                      config.base_path)


def head_of(story: Story, url: str, config: Config) -> ArticleHead:
    """What the index needs of an imported story whose URL will be `url`."""
    return ArticleHead(
        id=f"import:{story.source}", slug=story.slug, url=url, title=story.title,
        bylines=story.bylines, date=story.date, section=story.section or config.default_section,
        tags=story.tags, draft=story.draft, aliases=story.aliases, standalone=story.page,
        language=urls.language_key(story.language or config.language, config.language),
        translation_key=story.translation_key,
    )


def point_outside(story: Story, archive: NewArchive, address: str,
                  html: bool) -> tuple[Story, Pointed]:
    """`story` with each link its archive does not answer resolved against `address`,
    the old site's base URL ("" when unknown); `html`: the body is HTML, not Markdown."""
    pointed = point_links(story.body, archive, address, html)
    body, shown = _missing_images_shown(story, pointed.body, archive, address)
    return replace(story, body=body), replace(pointed, rewritten=pointed.rewritten + shown)


def _missing_images_shown(story: Story, body: str, archive: NewArchive,
                          address: str) -> tuple[str, int]:
    """`body` with each root-relative image that neither the old site's folders nor the
    new archive hold shown from the old site itself (still reported as missing, to be
    copied in), and how many."""
    missing = {image.reference for image in story.missing_images  # the photo's may be shown too
               if image.reference.startswith("/") and not image.reference.startswith("//")
               and not archive.answers(image.reference)}
    if not address or not missing:
        return body, 0
    count = 0

    def shown(match: re.Match[str]) -> str:
        nonlocal count
        if match["src"] not in missing:
            return match[0]
        count += 1
        return match[0].replace(match["src"], on_old_site(address, match["src"]))

    return _IMAGE_SOURCE.sub(shown, body), count


def point_links(body: str, archive: NewArchive, address: str, html: bool) -> Pointed:
    """`body` with the links `archive` does not answer made absolute on `address`."""
    code = set() if html else code_lines(body)
    images = set() if html else _image_labels(body)
    rewritten = 0
    kept: list[tuple[int, str]] = []

    def pointed(match: re.Match[str]) -> str:
        nonlocal rewritten
        link = match["link"]
        line = match.string.count("\n", 0, match.start()) + 1
        if line - 1 in code or archive.answers(link) or _is_image(match, images):
            return match[0]
        if not address:
            kept.append((line, link))
            return match[0]
        rewritten += 1
        start = match.start("link") - match.start()
        return match[0][:start] + on_old_site(address, link)

    patterns = (_HREF,) if html else (_HREF, _INLINE, _REFERENCE)
    text = body
    for pattern in patterns:
        text = pattern.sub(pointed, text)
    return Pointed(text, rewritten, tuple(sorted(kept)))


_IMAGE_SOURCE = re.compile(
    r"""(?:\bsrc\s*=\s*["']|!\[[^\]]*\]\(\s*<?)(?P<src>/[^\s"'()<>]+)""", re.IGNORECASE)
"""An image source in HTML (`src="/x.png"`) or Markdown (`![alt](/x.png)`)."""


def on_old_site(address: str, link: str) -> str:
    """`link` on the old site: after its base path, unless the link already starts with it."""
    base_path = urlsplit(address).path.rstrip("/")
    if base_path and (link == base_path or link.startswith(base_path + "/")):
        return urljoin(address, link)
    return address.rstrip("/") + link


def _is_image(match: re.Match[str], images: set[str]) -> bool:
    """The link is an image's source: `![alt](/src)`, or a reference only images use."""
    if match.re is _REFERENCE:
        return match["label"].strip().lower() in images
    if match.re is not _INLINE:
        return False
    text = match.string
    depth = 0
    for index in range(match.start() - 1, -1, -1):
        if index and text[index - 1] == "\\":
            continue
        if text[index] == "]":
            depth += 1
        elif text[index] == "[":
            if depth == 0:
                return index > 0 and text[index - 1] == "!"
            depth -= 1
    return False


def _image_labels(body: str) -> set[str]:
    """Reference labels used by images (`![alt][label]`) and by no link."""
    images = {m[1].strip().lower() for m in re.finditer(r"!\[[^\]]*\]\[([^\]]+)\]", body)}
    links = {m[1].strip().lower() for m in re.finditer(r"(?<!!)\[[^\]]*\]\[([^\]]+)\]", body)}
    return images - links
