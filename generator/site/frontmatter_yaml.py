"""Splitting a Markdown file into front matter and body, with file line numbers.

python-frontmatter finds the `---` fences; PyYAML's C loader (when built)
parses the block. Dates are left as text so that a bad date becomes a clear
message about the `date` field instead of an exception deep inside YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from frontmatter.default_handlers import YAMLHandler

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe YAML loading that keeps dates as strings."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, Any]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


class _Handler(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_Loader)


@dataclass(frozen=True, slots=True)
class Split:
    """A file cut at its front-matter fences."""

    front_matter: str | None
    """The YAML between the fences, or None when the file has no front matter."""
    body: str
    """Everything after the closing fence."""
    first_line: int
    """File line number of the opening `---` (1-based)."""


class FrontMatterError(ValueError):
    """The YAML could not be parsed; `line` is the file line when YAML knows it."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


_HANDLER = _Handler()


def split(text: str) -> Split:
    stripped = text.lstrip()
    first_line = text[: len(text) - len(stripped)].count("\n") + 1
    if not _HANDLER.detect(stripped):
        return Split(None, text, first_line)
    try:
        front_matter, body = _HANDLER.split(stripped)
    except ValueError:
        raise FrontMatterError(
            "front matter opened with --- but never closed", first_line
        ) from None
    return Split(front_matter, body, first_line)


def parse(piece: Split) -> Any:
    """The YAML value of the front matter (usually a dict)."""
    text = piece.front_matter or ""
    try:
        if "*" in text:
            _refuse_aliases(text, piece.first_line)
        return _HANDLER.load(text)
    except yaml.reader.ReaderError as exc:
        where = piece.first_line + text.count("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise FrontMatterError(
            f"front matter is not valid YAML: unacceptable character #x{code:04x} "
            "(a control character); remove it", where,
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, piece.first_line) from None
    except (yaml.YAMLError, ValueError) as exc:
        raise FrontMatterError(f"front matter is not valid YAML: {exc}", piece.first_line) from None


_OPENED_EARLIER = {
    "quoted scalar": "a quote opened on this line is never closed",
    "simple key": "expected `key: value`",
    "flow sequence": "a [ opened on this line is never closed",
    "flow mapping": "a { opened on this line is never closed",
}
"""What a YAML error whose start (its context) is the mistake means, by context."""


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, first_line: int) -> FrontMatterError:
    """The error at the line a person would fix, that line shown: where an unclosed quote
    or bracket opened, not where YAML ran out of text."""
    context = exc.context or ""
    meaning = next((m for what, m in _OPENED_EARLIER.items() if what in context), None)
    mark = exc.context_mark if meaning and exc.context_mark else exc.problem_mark
    problem = exc.problem or context or "invalid YAML"
    if "mapping values are not allowed" in problem:
        meaning = f"{problem} (quote a value that holds `: `, or check the indentation)"
    message = f"front matter is not valid YAML: {meaning or problem}"
    if mark is None:
        return FrontMatterError(message, None)
    lines = text.split("\n")
    shown = lines[mark.line].strip() if mark.line < len(lines) else ""
    return FrontMatterError(f"{message}: {shown[:80]}" if shown else message,
                            first_line + mark.line)


def _refuse_aliases(text: str, first_line: int) -> None:
    """YAML aliases (*name) can make a few lines stand for millions of values."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line = first_line + event.start_mark.line if event.start_mark else first_line
            raise FrontMatterError(
                f"front matter uses the YAML alias *{event.anchor}; write the value out instead",
                line,
            )


_TOP_LEVEL_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"][^:]*?))\s*:(?:\s|$)""")


def key_lines(piece: Split) -> dict[str, int]:
    """File line of each top-level key of the front matter, for error messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate((piece.front_matter or "").split("\n")):
        if match := _TOP_LEVEL_KEY.match(line):
            key = next(group for group in match.groups() if group is not None)
            lines.setdefault(key, piece.first_line + number)
    return lines
