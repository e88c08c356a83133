"""Article bodies: CommonMark plus tables, footnotes and attributes, via markdown-it-py.

Rendering a story's body (`Story` in the parser's env) also measures its local
images, which get resized copies, a size and srcset (see images.py), makes
`![alt](photo.jpg "Caption | Credit")` alone in its paragraph a figure, and
turns fenced `embed` blocks into click-to-load facades (see embeds.py).
"""

from __future__ import annotations

import functools
import gettext
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import embeds, images
from .config import Config
from .model import Photo, Variant
from .sources import is_file_within

STORY = "folio_story"
"""The key of the parser env holding the `Story` whose body is rendered."""
# How wide the default theme shows the text column, hence a body image.
BODY_SIZES = "(min-width: 40.5rem) 38rem, calc(100vw - 2.5rem)"


@dataclass(slots=True)
class Story:
    """What rendering one story's body needs from outside it, and what it found there."""

    relative: str
    """Path of the story file under content/, with forward slashes."""
    config: Config
    """The build's settings: where content/ is, image widths, embed hosts."""
    problems: list[tuple[int, str]] = field(default_factory=list)
    """Mistakes found: (line of the body counted from 0, what is wrong and expected)."""
    images: list[Photo] = field(default_factory=list)
    """Local images of the body, measured, each once, in order of first use."""
    shown: int = 0
    """Local images met so far, a file used twice counted twice: only the first is eager."""
    words: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)
    """The theme's words in the site's language, for what the body shows of its own."""

    def image(self, src: str) -> Photo | str | None:
        """The local image `src` names, measured; None for an outside or in-page
        address; the problem's text when it names no usable image."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        if path.startswith("/") and any(path.startswith(beside)
                                        for beside in self.config.links_outside):
            return None  # served beside the archive ([links] outside), not from content/
        folder = "" if path.startswith("/") else posixpath.dirname(self.relative)
        site_path = posixpath.normpath(posixpath.join("/", folder, path))
        climbs = posixpath.normpath(posixpath.join(folder, path)).startswith("..")
        file = self.config.content_dir / site_path.lstrip("/")
        if climbs or not is_file_within(file, self.config.content_dir.resolve()):
            return (f"image {src!r}: no file content{site_path}; expected an image beside "
                    "the story (a path relative to its file) or under content/ (/images/...)")
        found = next((p for p in self.images if p.src == quote(site_path)), None)
        if found:
            return found
        photo = Photo(quote(site_path), "", "", "")
        if not site_path.lower().endswith(".svg"):  # a drawing: any size, used as it is
            try:
                photo = images.measure(photo, self.config)
            except images.PhotoError as exc:
                return f"image {src!r} {exc} (or an SVG drawing)"
        self.images.append(photo)
        return photo


def make_parser(allow_html: bool) -> MarkdownIt:
    """A parser for one build; `allow_html` decides whether raw HTML passes through."""
    parser = (
        MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
        .enable("table")
        .enable("strikethrough")
        .use(footnote_plugin)
        .use(attrs_plugin)
        .use(attrs_block_plugin)
    )
    parser.core.ruler.at("normalize", _normalize)
    parser.core.ruler.push("folio_safe_attrs", _drop_unsafe_attrs)
    parser.core.ruler.push("folio_story", _story_parts)
    parser.add_render_rule("fence", _fence)
    parser.add_render_rule("image", _image)
    parser.validateLink = _is_safe_link  # type: ignore[method-assign]
    parser.normalizeLink = _normalized_link  # type: ignore[method-assign]
    return parser


@functools.cache
def shared_parser(allow_html: bool) -> MarkdownIt:
    """The parser of this process for `allow_html`, made on first use: it keeps no
    state between calls, so each loading process needs one, not one per batch."""
    return make_parser(allow_html)


# markdown-it's own, remembered: it re-encodes every link, and stories link to the same pages.
_normalized_link = functools.lru_cache(maxsize=1 << 14)(normalizeLink)


def _normalize(state: StateCore) -> None:
    """markdown-it's own first rule, with the same result. Its regular expression
    rewrites every line ending, even a plain newline, which is slow."""
    source = state.src
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    state.src = source.replace("\0", "\ufffd")


_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_SAFE_DATA = ("data:image/gif;", "data:image/png;", "data:image/jpeg;", "data:image/webp;")


def _is_safe_link(url: str) -> bool:
    lowered = "".join(url.split()).lower()
    if lowered.startswith(_SAFE_DATA):
        return True
    return not lowered.startswith(_UNSAFE_SCHEMES)


# Attributes an author may set with {#id .class key=value}; never event handlers or links.
_ALLOWED_ATTR = re.compile(r"^(id|class|lang|dir|title|width|height|start|data-[\w-]+)$")
# Set by Markdown itself (links, images, table alignment); already vetted by validateLink.
_MARKDOWN_ATTRS = frozenset({"href", "src", "alt"})
_ALIGNED_CELLS = frozenset({"th_open", "td_open"})


def _drop_unsafe_attrs(state: StateCore) -> None:
    for token in _walk(state.tokens):
        if not token.attrs:
            continue  # most tokens: nothing to check
        token.attrs = {
            name: value
            for name, value in token.attrs.items()
            if _ALLOWED_ATTR.match(name)
            or name in _MARKDOWN_ATTRS
            or (name == "style" and token.type in _ALIGNED_CELLS)
        }


def _walk(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(_walk(token.children))
    return found


def _story_parts(state: StateCore) -> None:
    """Embeds validated, local images measured, lone captioned images made figures;
    each found on its line for error messages."""
    story = state.env.get(STORY)
    hosts = story.config.embed_hosts if story else ()
    tokens = state.tokens
    line = 0
    for index, token in enumerate(tokens):
        line = token.map[0] if token.map else line
        if token.type == "fence" and token.info.strip() == embeds.EMBED_INFO:
            try:
                token.meta["embed"] = embeds.parse_embed(token.content, hosts)
            except embeds.EmbedError as exc:
                if story:
                    story.problems.append((line + 1 + exc.line, str(exc)))
        elif token.type == "inline" and token.children:
            _images_of(token.children, line, story)
            _figure(tokens, index)


def _images_of(children: list[Token], line: int, story: Story | None) -> None:
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "image" and story:
            found = story.image(str(child.attrs.get("src", "")))
            if isinstance(found, str):
                story.problems.append((line, found))
            elif found:
                child.meta["photo"] = found
                child.meta["eager"] = story.shown == 0
                story.shown += 1


def _figure(tokens: list[Token], index: int) -> None:
    """An image alone in its paragraph, with a title, becomes a figure with that caption."""
    children = tokens[index].children or []
    opening, closing = tokens[index - 1], tokens[index + 1]
    if (len(children) == 1 and children[0].type == "image" and children[0].attrs.get("title")
            and opening.type == "paragraph_open" and not opening.hidden):
        opening.tag = closing.tag = "figure"
        opening.attrSet("class", "figure")
        children[0].meta["figure"] = True


def _fence(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
           env: dict[str, Any]) -> str:
    embed = tokens[idx].meta.get("embed")
    if embed is not None:
        story = env.get(STORY)
        return embeds.facade_html(embed, story.words if story else gettext.NullTranslations())
    return RendererHTML.fence(self, tokens, idx, options, env)


def _image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
           env: dict[str, Any]) -> str:
    token = tokens[idx]
    caption = ""
    if token.meta.get("figure"):
        caption = _caption(str(token.attrs.pop("title")))
    photo = token.meta.get("photo")
    if photo is None:
        return RendererHTML.image(self, tokens, idx, options, env) + caption
    alt = self.renderInlineAsText(token.children or [], options, env)
    base = env[STORY].config.base_path
    return _picture(photo, alt, token.attrs, base, token.meta["eager"]) + caption


def _caption(title: str) -> str:
    """`Caption | Credit` (either part may be left out) as a figcaption."""
    caption, _, credit = title.rpartition("|") if "|" in title else (title, "", "")
    parts = [f'<span class="{name}">{escape(text.strip())}</span>'
             for name, text in (("caption", caption), ("credit", credit)) if text.strip()]
    return f"<figcaption>{' '.join(parts)}</figcaption>"


def _picture(photo: Photo, alt: str, attrs: dict[str, str | int | float], base: str,
             eager: bool) -> str:
    """A local image as the lead photo is shown: WebP copies in a <source>, its own
    format's copies in srcset, its size against layout shift, lazy unless first."""
    def srcset(variants: tuple[Variant, ...]) -> str:
        return ", ".join(f"{base}{v.url} {v.width}w" for v in variants)

    own = {"src": base + str(photo.src), "srcset": srcset(photo.variants), "sizes": BODY_SIZES,
           "width": photo.width, "height": photo.height, "alt": alt}
    if len(photo.variants) < 2:
        del own["srcset"], own["sizes"]
    written = {**{k: v for k, v in own.items() if v is not None},
               **{k: v for k, v in attrs.items() if k not in ("src", "alt")}}
    if not eager:
        written.update(loading="lazy", decoding="async")
    img = "<img" + "".join(f' {name}="{escape(str(value))}"' for name, value in written.items())
    source = (f'<source type="image/webp" srcset="{escape(srcset(photo.webp_variants))}" '
              f'sizes="{BODY_SIZES}">' if photo.webp_variants else "")
    return f"<picture>{source}{img}></picture>"


def render_body(parser: MarkdownIt, text: str) -> str:
    """HTML for one article body. The parser keeps no state between calls."""
    html: str = parser.render(text)
    return html
