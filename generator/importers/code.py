"""Where a Markdown body's code blocks are: template tags, links and images inside them
are samples to show as written, never to translate or rewrite."""

from __future__ import annotations

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark")


def code_lines(body: str) -> set[int]:
    """Line numbers (from 0) of the body's fenced and indented code blocks."""
    return {
        number
        for token in _PARSER.parse(body)
        if token.type in ("fence", "code_block") and token.map
        for number in range(*token.map)
    }
