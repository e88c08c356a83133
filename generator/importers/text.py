"""Plain-text stories, laid out as the seed is, into drafts.

```
News by VICE                      optional brand / kicker line
Russian Weapons Keep Rolling ...  headline
US Secretary of Defense ...       optional dek
by Reuters and VICE News          byline line(s)
Sep 18 2015, 5:10pm               dateline
Photo via al-Manara Network       optional photo credit
A day after ...                   body paragraphs
Related: Russia Just Parked ...   related headline (anywhere in the body)
```

Paragraphs are separated by blank lines. The head ends with the last
paragraph made only of byline, dateline and credit lines; what comes before
it is kicker, headline and dek. Lines that do not parse stay in the body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .dates import parse_date_text, parse_dateline
from .sources import read_utf8
from .story import Draft, Item, ReadOptions, failed

SUFFIXES = (".txt", ".text")
HEAD_PARAGRAPHS = 6
"""How far down the file the byline or dateline may start."""

_BYLINE = re.compile(r"^by\s+(?P<names>.+)$", re.IGNORECASE)
_BYLINE_DATE = re.compile(r"\s+(?:\||\u00b7|\u2014|\u2013|-|on)\s+")
_PREFIX = re.compile(
    r"^(?:(?P<updated>(?:last\s+)?updated)|published|posted|first published)"
    r"(?:\s+(?:on|at))?\s*:?\s*",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\(?(?:photo(?:graph)?|image|picture)\s*"
    r"(?:via|by|courtesy(?:\s+of)?|credit)?\s*:?\s+(?P<credit>.+?)\)?$",
    re.IGNORECASE,
)
_CREDIT_WORD = re.compile(
    r"^\(?(?:photo(?:graph)?|image|picture)\s*(?:via|by|courtesy|credit|:)", re.IGNORECASE
)
_RELATED = re.compile(
    r"^related(?:\s+(?:stories|story|articles?|coverage))?:\s*(?P<what>.+)$", re.IGNORECASE
)
_MARKDOWN_LINK = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)$")
_TRAILING_URL = re.compile(
    r"^(?P<title>.+?)\s+[-\u2013\u2014:]?\s*\(?(?P<url>https?://\S+?)\)?$"
)
_SENTENCE = re.compile(r"[a-z]{3,}[.!?][\"'\u201d\u2019)]*$")


def read(path: Path, source: str, options: ReadOptions) -> Iterator[Item]:
    text, problem = read_utf8(path)
    if problem:
        yield failed(source, problem)
        return
    yield parse_story(text, source)


def parse_story(text: str, source: str) -> Item:
    """The draft of one plain-text story, or why it has none."""
    paragraphs = _paragraphs(text)
    start = next(
        (i for i, lines in enumerate(paragraphs[:HEAD_PARAGRAPHS]) if _starts_head(lines)), None
    )
    if start is None:
        return failed(
            source,
            "no byline or dateline near the top (expected lines such as "
            "'by Reuters and VICE News' and 'Sep 18 2015, 5:10pm')",
        )
    if start == 0:
        return failed(source, "no headline before the byline or dateline")
    end = start
    while end < len(paragraphs) and _is_head(paragraphs[end]):
        end += 1
    head = _head_fields([line for lines in paragraphs[start:end] for line in lines])
    if "date" not in head:
        return failed(source, "no dateline near the top (expected a line such as 'Sep 18 2015')")
    fields, lead = _titles(paragraphs[:start])
    body, related = _body(lead + paragraphs[end:])
    return Draft(source, {**fields, **head, "related": related or None}, body)


def _paragraphs(text: str) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.rstrip()
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [lines for lines in paragraphs if lines]


def _starts_head(lines: list[str]) -> bool:
    kinds = [_head_kind(line) for line in lines]
    return all(kinds) and any(kind != "credit" for kind in kinds)


def _is_head(lines: list[str]) -> bool:
    return all(_head_kind(line) for line in lines)


def _head_kind(line: str) -> str:
    byline = _BYLINE.match(line)
    if byline and _looks_like_names(_split_byline(byline["names"])[0]):
        return "byline"
    if _dateline(line)[0] is not None:
        return "date"
    return "credit" if _credit(line) else ""


def _credit(line: str) -> str:
    """The credit of a "Photo via …" line; "" for any other line."""
    match = _CREDIT.match(line) if _CREDIT_WORD.match(line) else None
    return match["credit"] if match else ""


def _looks_like_names(text: str) -> bool:
    """Not a sentence that happens to start with "By" (a dek such as "By sending tanks, ...")."""
    return len(text.split()) <= 12 and not _SENTENCE.search(text)


def _dateline(line: str) -> tuple[str | None, bool]:
    """The date text of a dateline and whether it is an update time; (None, False) if none."""
    prefix = _PREFIX.match(line)
    rest = line[prefix.end():] if prefix else line
    if parse_dateline(rest) is None and parse_date_text(rest) is None:
        return None, False
    return rest, bool(prefix and prefix["updated"])


def _split_byline(text: str) -> tuple[str, str]:
    """"Jane Doe | Sep 18 2015" -> ("Jane Doe", "Sep 18 2015"); with no date, (text, "")."""
    for match in _BYLINE_DATE.finditer(text):
        printed = _dateline(text[match.end():])[0]
        if printed is not None:
            return text[: match.start()], printed
    return text, ""


def _head_fields(lines: list[str]) -> dict[str, Any]:
    """Byline, date, update time and photo credit from the lines of the head."""
    found: dict[str, list[str]] = {"byline": [], "date": [], "updated": [], "credit": []}
    for line in lines:
        kind = _head_kind(line)
        if kind == "byline":
            names, printed = _split_byline(line.split(None, 1)[1])
            found["byline"].append(names)
            found["date"].extend([printed] if printed else [])
        elif kind == "credit":
            found["credit"].append(_credit(line))
        else:
            when, is_update = _dateline(line)
            found["updated" if is_update else "date"].append(when or "")
    fields: dict[str, Any] = {key: values[0] for key, values in found.items() if values}
    if found["byline"]:
        fields["byline"] = ", ".join(found["byline"])
    if "credit" in fields:
        fields["photo"] = {"credit": fields.pop("credit")}
    return fields


def _titles(paragraphs: list[list[str]]) -> tuple[dict[str, Any], list[list[str]]]:
    """Kicker, headline and dek from the paragraphs above the byline; extra ones lead the body."""
    texts = [" ".join(lines) for lines in paragraphs]
    if len(texts) == 1:
        return {"title": texts[0]}, []
    if len(texts) == 2 and _is_kicker(texts[0], texts[1]):
        return {"publication": texts[0], "title": texts[1]}, []
    if len(texts) == 2:
        return {"title": texts[0], "dek": texts[1]}, []
    return {"publication": texts[0], "title": texts[1], "dek": texts[2]}, paragraphs[3:]


def _is_kicker(first: str, second: str) -> bool:
    """A short line over a headline, rather than a headline over a dek ending in a full stop."""
    return len(first.split()) <= 4 and not second.endswith(".")


def _body(paragraphs: list[list[str]]) -> tuple[str, list[dict[str, str]]]:
    kept: list[str] = []
    related: list[dict[str, str]] = []
    for lines in paragraphs:
        match = _RELATED.match(lines[0]) if len(lines) == 1 else None
        if match:
            related.append(_related_entry(match["what"].strip()))
        else:
            kept.append("\n".join(lines))
    return "\n\n".join(kept), related


def _related_entry(what: str) -> dict[str, str]:
    match = _MARKDOWN_LINK.match(what) or _TRAILING_URL.match(what)
    if match:
        return {"title": match["title"].strip(), "url": match["url"]}
    return {"title": what}
