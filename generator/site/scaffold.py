"""`folio init` and `folio new`: a starter site, and a fresh story in it."""

from __future__ import annotations

import dataclasses
import io
import textwrap
from dataclasses import MISSING
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

from . import urls
from .config import CONFIG_FILE, TABLES, Config, language_problem
from .errors import FolioError, UsageError
from .slugs import slugify

IGNORED = ("output/", ".folio-cache/", ".output.previous/")
"""What `folio init` writes into .gitignore: the built site, the cache, the last site."""
STARTER_VALUES = {"title": "Example Gazette", "base_url": "https://news.example.org/"}
"""The options `folio init` sets; every other one is written commented out."""


def story_folder(config: Config, when: datetime) -> Path:
    """Where a story of `when` goes: content/<year>/, as `folio import` writes it."""
    return config.content_dir / f"{when.year:04d}"


def new_article(config: Config, headline: str, section: str | None,
                byline: str | None = None, language: str | None = None) -> Path:
    """Write content/<year>/<slug>.md (<slug>.fr.md in another language than the site's)
    as a draft dated now; never overwrite a file."""
    slug = slugify(headline)
    if not slug:
        raise UsageError("the headline needs at least one letter or digit")
    if language and (problem := language_problem(language)):
        raise UsageError(f"--language: {problem}")
    key = urls.language_key(language or config.language, config.language)
    now = (config.now or datetime.now(UTC)).astimezone(config.zone).replace(second=0, microsecond=0)
    path = story_folder(config, now) / (f"{slug}.{key}.md" if key else f"{slug}.md")
    if path.exists():
        raise FolioError(f"{path} already exists; refusing to overwrite it")
    front_matter = {
        "title": headline,
        "dek": "",
        "byline": [byline or config.default_byline],
        "date": now.isoformat(),
        "section": section or config.default_section,
        "tags": [],
        **({"language": language} if key else {}),
        "draft": True,
    }
    text = "---\n" + yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(text + "---\n\nWrite the story here. Remove `draft: true` to publish it.\n")
    return path


def init_site(folder: Path, now: datetime) -> list[Path]:
    """Write a starter site into `folder`: folio.toml, a story with a photo, an About
    page, .gitignore. Refuse a folder that already holds a site."""
    for taken in (folder / CONFIG_FILE, folder / "content"):
        if taken.exists():
            raise FolioError(f"{taken} already exists: {folder} already holds a site; "
                             "refusing to overwrite it (pick an empty or new folder)")
    year = f"{now.year:04d}"
    files = {
        CONFIG_FILE: starter_config().encode(),
        ".gitignore": "".join(f"{line}\n" for line in IGNORED).encode(),
        f"content/{year}/welcome.md": _WELCOME.format(
            date=now.replace(microsecond=0).isoformat(), year=year).encode(),
        f"content/{year}/newsroom.jpg": _sample_photo(),
        "content/pages/about.md": _ABOUT.encode(),
    }
    written = []
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def starter_config() -> str:
    """A folio.toml naming every option with its documentation: the starter values
    set, the rest commented out at their defaults, so the file never drifts from `Config`."""
    options = [spec for spec in dataclasses.fields(Config) if spec.metadata["toml"]]
    plain = [spec for spec in options
             if not _table_of(spec.name) and spec.name not in EXAMPLE_TABLES]
    lines = ["# The settings of this site. Commented-out lines show the default;",
             "# uncomment one to change it. Every setting: docs/configuration.md.", ""]
    for spec in plain:
        lines += [*_doc_lines(spec.metadata["doc"]), _setting(spec.name, spec), ""]
    for table in TABLES:
        lines.append(f"[{table}]")
        for spec in options:
            if _table_of(spec.name) == table:
                lines += [*_doc_lines(spec.metadata["doc"]),
                          _setting(spec.name.removeprefix(f"{table}_"), spec)]
        lines.append("")
    for name, example in EXAMPLE_TABLES.items():
        lines += [*_doc_lines(Config.__dataclass_fields__[name].metadata["doc"]),
                  *(f"# {line}" for line in example), ""]
    return "\n".join(lines)


EXAMPLE_TABLES = {
    "publish": ("[publish.live]", 'url = "../www"'),
    "authors": ("[authors.jane-reporter]", 'role = "City hall reporter"'),
}
"""Options written as tables of tables: the starter shows one, commented out."""


def _table_of(name: str) -> str | None:
    return next((table for table in TABLES if name.startswith(f"{table}_")), None)


def _doc_lines(doc: str) -> list[str]:
    return textwrap.wrap(doc, width=78, initial_indent="# ", subsequent_indent="# ")


def _setting(key: str, spec: dataclasses.Field[Any]) -> str:
    if spec.name in STARTER_VALUES:
        return f"{key} = {toml_value(STARTER_VALUES[spec.name])}"
    if spec.default is MISSING:
        raise TypeError(f"scaffold: the required option {spec.name} needs a STARTER_VALUES entry")
    return f"# {key} = {toml_value(spec.default)}"


def toml_value(value: Any) -> str:
    """`value` (a string, number, flag or tuple of them) as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value)


def _sample_photo() -> bytes:
    """A small JPEG for the sample story: a sky over a skyline, drawn here."""
    image = Image.new("RGB", (1200, 675), (32, 64, 112))
    draw = ImageDraw.Draw(image)
    for y in range(0, 450, 6):
        shade = 112 + y // 4
        draw.rectangle((0, y, 1200, y + 6), fill=(32 + y // 5, 64 + y // 6, shade))
    for number, x in enumerate(range(0, 1200, 80)):
        top = 330 + (number * 37) % 170
        draw.rectangle((x + 6, top, x + 70, 675), fill=(24, 28, 36))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


_WELCOME = """\
---
title: Welcome to your new archive
dek: This sample story shows the front matter Folio reads. Edit it, or delete it.
byline: [Staff]
date: {date}
section: News
tags: [Folio]
photo:
  src: {year}/newsroom.jpg
  alt: A city skyline at dusk
  caption: A sample photo, made by folio init.
  credit: Folio
---

Every story is a Markdown file under `content/`, with its headline, byline and
date in the front matter above. `folio new "Headline"` starts the next one in
`content/{year}/`, and `folio import` brings in an existing archive.

Standalone pages, such as About, live in `content/pages/`.
"""

_ABOUT = """\
---
title: About
menu: true
---

Who we are, what we cover and how to reach the newsroom. Pages such as this one
live in `content/pages/`: each becomes a page at `/its-file-name/`.
"""
