"""WordPress shortcodes in post bodies into the HTML WordPress made of them.

`[caption]` becomes a figure with its caption, `[gallery]` the images it showed
(the ones its `ids` name, else the post's attachments), `[embed]`, `[audio]`
and `[video]` a player or a link. Any other shortcode written with attributes,
or wrapping text, becomes a visible placeholder named for the import report (a
wrapping one keeps its text); a bare `[word]` is left alone, since writers put
words in brackets too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .templates import PLACEHOLDER, arguments

_PAIRED = re.compile(
    r"\[(?P<name>[a-z][\w-]*)(?P<args>(?:\s[^\]]*)?)\](?P<inner>.*?)\[/(?P=name)\]", re.S | re.I
)
_SINGLE = re.compile(r"\[(?P<name>[a-z][\w-]*)(?P<args>(?:\s[^\]]*)?)\]", re.I)
_IMAGE_PART = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_VIDEO_SITES = (
    (r"https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be)/", "YouTube video"),
    (r"https?://(?:www\.|player\.)?vimeo\.com/", "Vimeo video"),
)
KNOWN = frozenset(["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"])
"""WordPress's own shortcodes, translated even when written bare (`[gallery]`)."""


@dataclass(frozen=True, slots=True)
class Image:
    """One attachment a gallery shows."""

    src: str
    """Its URL."""
    alt: str
    """Its alternative text."""
    caption: str
    """Its caption, as plain text."""


Gallery = Callable[[Sequence[str]], list[Image]]
"""The images of a gallery: those of the ids given, else the post's own attachments."""


def translate(body: str, gallery: Gallery) -> tuple[str, tuple[str, ...]]:
    """`body` with its shortcodes as HTML; the names of those shown as a placeholder."""
    placeholders: list[str] = []

    def paired(match: re.Match[str]) -> str:
        name = match["name"].lower()
        named = _named(match["args"])
        if name in ("caption", "wp_caption"):
            return _caption(match["inner"], named)
        if name in ("embed", "audio", "video"):
            return _media(name, match["inner"].strip(), named) or shown(name)
        placeholders.append(name)
        return match["inner"]

    def single(match: re.Match[str]) -> str:
        name = match["name"].lower()
        args = match["args"]
        if name == "gallery":
            return _gallery(gallery(_ids(_named(args)))) or shown(name)
        if name in ("audio", "video", "embed"):
            positional, named = arguments(args)
            return _media(name, next(iter(positional), ""), named) or shown(name)
        return shown(name) if name in KNOWN or "=" in args else match.group(0)

    def shown(name: str) -> str:
        placeholders.append(name)
        return f"<p>{html.escape(PLACEHOLDER.format(name=name))}</p>"

    text = _PAIRED.sub(paired, body)
    return _SINGLE.sub(single, text), tuple(placeholders)


def _named(args: str) -> dict[str, str]:
    return arguments(args)[1]


def _ids(named: Mapping[str, str]) -> list[str]:
    return [part.strip() for part in named.get("ids", "").split(",") if part.strip()]


def _caption(inner: str, named: Mapping[str, str]) -> str:
    found = _IMAGE_PART.match(inner)
    image, text = (found[1], found[2].strip()) if found else (inner, "")
    caption = text or html.escape(named.get("caption", ""))
    classes = html.escape(f"wp-caption {named.get('align', '')}".strip())
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="{classes}">{image}{figcaption}</figure>'


def _gallery(images: list[Image]) -> str:
    figures = "".join(
        f'<figure><img src="{html.escape(image.src)}" alt="{html.escape(image.alt)}">'
        + (f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else "")
        + "</figure>"
        for image in images
    )
    return f'<div class="gallery">{figures}</div>' if images else ""


def _media(kind: str, inner: str, named: Mapping[str, str]) -> str:
    """A player for a file, a link for a page (YouTube, Vimeo and the like); "" for no URL."""
    url = inner or next(
        (named[key] for key in ("src", "mp3", "m4a", "ogg", "wav", "mp4", "webm", "m4v", "url")
         if named.get(key)), "",
    )
    if not re.match(r"https?://", url):
        return ""
    source = html.escape(url)
    label = next((name for host, name in _VIDEO_SITES if re.match(host, url)), source)
    link = f'<a href="{source}">{label}</a>'
    if kind == "embed" or not re.search(r"\.\w{2,4}(?:\?|$)", url):
        return f"<p>{link}</p>"
    return f'<{kind} controls src="{source}">{link}</{kind}>'
