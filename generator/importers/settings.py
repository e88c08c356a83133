"""What folio.toml can take from the old site's configuration, written without
overwriting: a key folio.toml leaves unset is added; one it sets otherwise is
reported, and replaced only with `--force`."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

from .source_site import SourceSite

_FOLIO_PATTERN = {"year": "{year}", "month": "{month}", "day": "{day}", "section": "{section}",
                  "filename": "{slug}", "slug": "{slug}", "title": "{slug}",
                  "slugorfilename": "{slug}", "contentbasename": "{slug}"}


def inferred_settings(site: SourceSite) -> dict[str, str]:
    """folio.toml keys the old site's configuration gives values for."""
    found = dict(site.settings)
    permalink = folio_permalink(site)
    if permalink:
        found["permalink"] = permalink
    return found


def folio_permalink(site: SourceSite) -> str | None:
    """The old site's one post permalink as a Folio pattern, when Folio can say it."""
    sections = {child.name for root in site.roots for child in root.folder.iterdir()
                if child.is_dir()}
    patterns = {pattern for section, pattern in site.permalinks.items() if section in sections}
    if len(patterns) != 1 or site.generator != "hugo" or site.ugly:
        return None
    parts = []
    for part in next(iter(patterns)).strip("/").split("/"):
        token = re.fullmatch(r":(\w+)", part)
        if token is None or token[1] not in _FOLIO_PATTERN:
            return None
        parts.append(_FOLIO_PATTERN[token[1]])
    if parts.count("{slug}") != 1:
        return None
    return "/" + "/".join(parts) + "/"


def adopt_settings(toml: Path, settings: Mapping[str, str], force: bool,
                   dry_run: bool) -> tuple[list[str], dict[str, str]]:
    """Write `settings` into the top of `toml` as the module says; what was done, and
    the settings taken (also in a dry run, which writes none)."""
    text = toml.read_text("utf-8")
    present = tomllib.loads(text)
    said: list[str] = []
    added: list[str] = []
    taken: dict[str, str] = {}
    for key, value in settings.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        if key not in present:
            added.append(line)
            taken[key] = value
            said.append(f"folio.toml: {'would add' if dry_run else 'added'} {line}")
        elif present[key] != value and force:
            taken[key] = value
            text = _replace_top_level(text, key, line)
            said.append(f"folio.toml: {'would replace' if dry_run else 'replaced'} {key} "
                        f"with {line} (--force)")
        elif present[key] != value:
            said.append(f"folio.toml: kept {key} = {json.dumps(present[key], ensure_ascii=False)}"
                        f"; the old site says {json.dumps(value, ensure_ascii=False)} "
                        "(--force to take it)")
    if added:
        text = _insert_top_level(text, ["# From the old site's configuration (folio import):",
                                        *added])
    if not dry_run and said:
        toml.write_text(text, "utf-8")
    return said, taken


def _top_level_end(lines: list[str]) -> int:
    """The index of the first [table] line, where top-level keys end."""
    return next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")),
                len(lines))


def _insert_top_level(text: str, new: list[str]) -> str:
    lines = text.splitlines()
    end = _top_level_end(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return "\n".join([*lines[:end], *new, *lines[end:]]) + "\n"


def _replace_top_level(text: str, key: str, new: str) -> str:
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for index in range(_top_level_end(lines)):
        if pattern.match(lines[index]):
            lines[index] = new
            break
    return "\n".join(lines) + "\n"
