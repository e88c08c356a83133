"""Imported HTML made safe to publish, through nh3 (the ammonia sanitizer), with one policy.

Every importer that brings HTML (feed and WordPress bodies, raw HTML in the
Markdown of other generators) goes through here, so a site built with
`[markdown] html = true` never runs a script an archive carried: no
`<script>`, `<style>`, `<iframe>` or form, no `on*=` handler, no style
property but layout and colour ones, no link or image whose scheme is not
http, https or mailto (relative links stay). Text, headings, lists, links,
images, figures, tables, quotes, code and audio or video players are kept.
What was left out is named, for the import report.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it.token import Token

from ..site.markdown import shared_parser

URL_SCHEMES = frozenset(["http", "https", "mailto"])
"""Schemes a link or image may use besides relative URLs."""

WEB_SCHEMES = frozenset(["", "http", "https"])
"""Schemes of a link that may become an alias or a slug ("" is a path)."""

TAGS = frozenset(
    nh3.ALLOWED_TAGS
    | {"address", "big", "section", "tfoot", "audio", "video", "source", "track"}
)

ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    # Folio's own Markdown lets an author set id, class, lang, dir and title too.
    "*": {"id", "class", "lang", "dir", "title", "role", "style"},
    "a": {"href", "hreflang", "rel", "target"},
    "img": {"src", "alt", "width", "height", "align", "loading", "decoding"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "audio": {"src", "controls", "loop", "preload"},
    "video": {"src", "controls", "loop", "muted", "playsinline", "preload", "poster", "width",
              "height"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "label", "srclang"},
}

STYLE_PROPERTIES = frozenset([
    "background-color", "border", "border-collapse", "border-color", "border-style",
    "border-width", "clear", "color", "direction", "display", "float", "font", "font-family",
    "font-size", "font-style", "font-variant", "font-weight", "height", "letter-spacing",
    "line-height", "margin", "max-width", "overflow", "padding", "text-align", "text-decoration",
    "text-indent", "unicode-bidi", "vertical-align", "white-space", "width",
])
"""CSS a `style` attribute keeps: none that can load a URL or cover the page."""

_LAST_END_TAG = re.compile(r"</([a-z][a-z0-9]*)>\s*\Z")
_UNSEEN = re.compile(r"[\s\x00-\x1f]+")
_SHOWN = 60


def clean_html(html: str) -> tuple[str, list[str]]:
    """`html` with only what is safe to publish, and what was left out ("<script>", "onclick")."""
    cleaned, left_out, _ = _clean(html)
    return cleaned, left_out


def _clean(html: str) -> tuple[str, list[str], bool]:
    """Cleaned HTML, what was left out, and whether anything but end tags and spelling changed."""
    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,
    )
    before, after = _events(html), _events(cleaned)
    return cleaned, _left_out(before, after), before != after


def clean_markdown(markdown: str) -> tuple[str, list[str]]:
    """`markdown` with its raw HTML (blocks and inline tags) cleaned; Markdown is left as is.

    Only HTML that the sanitizer changes is rewritten (end tags aside), so a safe
    `<div>` opened in one block and closed in another keeps its shape.
    """
    lines = markdown.split("\n")
    left_out: list[str] = []
    for token in reversed(shared_parser(True).parse(markdown)):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "html_block":
            cleaned, lost, changed = _clean_piece(token.content)
            if changed:
                lines[start:end] = _block_lines(lines[start:end], token.content, cleaned)
                left_out = lost + left_out
        elif token.type == "inline" and token.children:
            text, lost = _clean_inline_tags("\n".join(lines[start:end]), token.children)
            lines[start:end] = text.split("\n")
            left_out = lost + left_out
    return "\n".join(lines), left_out


def left_out_warning(left_out: list[str]) -> str | None:
    """The report's warning for what `clean_html` left out, or None when nothing was."""
    if not left_out:
        return None
    names = list(dict.fromkeys(left_out))
    shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
    return f"body: left out HTML that imported bodies may not carry ({shown})"


def link_scheme(link: str) -> str:
    """The scheme a browser reads in `link`, in lower case; "" for a path."""
    return urlsplit(_UNSEEN.sub("", link)).scheme.lower()


def is_web_link(link: str) -> bool:
    """An http(s) URL or a path: what an old link must be to become an alias or a slug."""
    return link_scheme(link) in WEB_SCHEMES


def unsafe_link_warning(name: str, link: str) -> str:
    """The report's warning for a link of field `name` that is no web address."""
    shown = link if len(link) <= _SHOWN else link[: _SHOWN - 1] + "…"
    return (
        f"{name}: {shown!r} is a {link_scheme(link)}: link, not a web address; "
        "left out (no alias or slug made from it)"
    )


def _clean_inline_tags(text: str, children: list[Token]) -> tuple[str, list[str]]:
    """`text` (the source lines of one paragraph) with each of its unsafe inline tags cleaned."""
    left_out: list[str] = []
    position = 0
    for child in children:
        if child.type != "html_inline":
            continue
        found = text.find(child.content, position)
        if found < 0:
            continue
        cleaned, lost, changed = _clean_piece(child.content)
        if changed:
            text = text[:found] + cleaned + text[found + len(child.content):]
            left_out += lost
        position = found + len(cleaned if changed else child.content)
    return text, left_out


def _clean_piece(html: str) -> tuple[str, list[str], bool]:
    """A piece of HTML that may open elements other pieces close, cleaned without closing them."""
    cleaned, lost, changed = _clean(html)
    while (last := _LAST_END_TAG.search(cleaned)) and _end_tags(cleaned, last[1]) > _end_tags(
        html, last[1]
    ):
        cleaned = cleaned[: last.start()]
    return cleaned, lost, changed


def _end_tags(html: str, name: str) -> int:
    return len(re.findall(rf"</{name}\s*>", html, re.IGNORECASE))


def _block_lines(raw: list[str], content: str, cleaned: str) -> list[str]:
    """The cleaned HTML block as source lines, keeping the container prefixes ("> ", "  ")."""
    content_lines = content.rstrip("\n").split("\n")
    prefixes = [
        line[: len(line) - len(inner)] if line.endswith(inner) else ""
        for line, inner in zip(raw, content_lines, strict=False)
    ] or [""]
    new_lines = cleaned.rstrip("\n").split("\n") if cleaned.strip() else []
    if all(line.strip() for line in content_lines):
        # A blank line would end the HTML block early and change how the rest is read.
        new_lines = [line for line in new_lines if line.strip()]
    return [
        prefixes[min(number, len(prefixes) - 1)] + line for number, line in enumerate(new_lines)
    ]


class _Inventory(HTMLParser):
    """The start tags (with their attributes), text and comments of some HTML, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pairs = sorted(f"{name}={value}" for name, value in attrs)
        self.events.append((f"<{tag}>", *pairs))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))


def _events(html: str) -> list[tuple[str, ...]]:
    parser = _Inventory()
    parser.feed(html)
    parser.close()
    return parser.events


def _names(events: list[tuple[str, ...]]) -> Counter[str]:
    """Each element as "<tag>" and each attribute as "name on <tag>"."""
    return Counter(
        name
        for event in events
        if event[0].startswith("<")
        for name in (event[0], *(f"{attr.partition('=')[0]} on {event[0]}" for attr in event[1:]))
    )


def _left_out(before: list[tuple[str, ...]], after: list[tuple[str, ...]]) -> list[str]:
    """Elements and attributes lost; not the attributes of an element lost whole."""
    lost = _names(before) - _names(after)
    return [name for name in lost if name.partition(" on ")[2] not in lost]
