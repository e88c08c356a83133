"""Article bodies: CommonMark plus tables, footnotes and attributes, via markdown-it-py."""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin


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


def render_body(parser: MarkdownIt, text: str) -> str:
    """HTML for one article body. The parser keeps no state between calls."""
    html: str = parser.render(text)
    return html
