"""Author profiles from what an import learned of its people.

A byline such as "Max Neuvians, Developer" gives Max Neuvians a role (the one
of the newest story that names one, as titles change); the old site's author
data (Hugo's `content/authors/<key>/_index.md`, `data/authors.*`, Jekyll's
`_data/authors.*`) may give a biography and a photo at an http(s) address. Each
person with any of these gets `content/authors/<slug>.md`, the slug of their
author page, unless the site already has a profile for that slug (a file or an
`[authors.<slug>]` table of folio.toml): nothing is ever overwritten.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..site.config import Config
from ..site.errors import display_path
from ..site.slugs import slugify
from .generators import DIALECTS, author_entries, split
from .sources import read_utf8
from .story import Story

_BIO_KEYS = ("bio", "description", "summary", "about")
_PHOTO_KEYS = ("photo", "avatar", "image", "picture", "portrait")
_ROLE_KEYS = ("role", "position", "job_title", "jobtitle")


@dataclass(frozen=True, slots=True)
class Person:
    """What a profile will say of one author."""

    name: str
    """The byline's name."""
    role: str = ""
    """Job title, from a byline or the author data."""
    bio: str = ""
    """Biography (Markdown), from the author data."""
    photo: str = ""
    """Portrait at an http(s) address, from the author data."""


def known_people(root: Path) -> dict[str, Person]:
    """What the old site's author data says of each author, by slug of display name."""
    found: dict[str, Person] = {}
    for base in [root, *list(root.parents)[:2]]:
        for page in sorted((base / "content" / "authors").glob("*/_index.md")):
            text, problem = read_utf8(page)
            with contextlib.suppress(ValueError):
                meta, body = split(text, DIALECTS["hugo"]) if not problem else (None, "")
                if meta and isinstance(meta.get("title"), str):
                    _add(found, meta["title"], {**meta, "bio": meta.get("bio") or body.strip()})
        for entry in author_entries(base):
            name = next((entry[k] for k in ("name", "display_name", "full_name", "title")
                         if isinstance(entry.get(k), str)), "")
            _add(found, name, entry)
    return found


def _add(found: dict[str, Person], name: str, entry: Mapping[str, Any]) -> None:
    lowered = {str(key).lower(): value for key, value in entry.items()}
    photo = _text(lowered, _PHOTO_KEYS)
    person = Person(name, _text(lowered, _ROLE_KEYS), _text(lowered, _BIO_KEYS),
                    photo if urlsplit(photo).scheme in ("http", "https") else "")
    if slugify(name) and (person.role or person.bio or person.photo):
        found.setdefault(slugify(name), person)


def _text(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    return next((" ".join(str(entry[k]).split()) if k != "bio" else str(entry[k]).strip()
                 for k in keys if isinstance(entry.get(k), str) and entry[k].strip()), "")


def people_of(stories: Iterable[Story], known: Mapping[str, Person],
              language: str) -> dict[str, Person]:
    """Every author of `stories` with something for a profile, by slug: the role of their
    newest story that gives one, in the site's `language` first (a profile is written in
    it), else the author data's; bio and photo from the data."""
    roles: dict[str, str] = {}
    names: dict[str, str] = {}
    for story in sorted(stories, key=lambda story: (
            story.language.lower() not in ("", language.lower()), -story.date.timestamp())):
        if story.page:  # shows no byline
            continue
        given = story.extra.get("byline_roles")
        for name in story.bylines:
            names.setdefault(slugify(name), name)
            role = given.get(name) if isinstance(given, dict) else None
            if isinstance(role, str) and role.strip():
                roles.setdefault(slugify(name), " ".join(role.split()))
    found = {}
    for slug, name in names.items():
        data = known.get(slug, Person(name))
        person = Person(name, roles.get(slug) or data.role, data.bio, data.photo)
        if slug and (person.role or person.bio or person.photo):
            found[slug] = person
    return found


def write_profiles(people: Mapping[str, Person], folder: Path, config: Config,
                   dry_run: bool) -> list[str]:
    """Write each profile the site does not have into `folder`; what was written."""
    tables = {table.slug for table in config.authors}
    said = []
    for slug, person in sorted(people.items()):
        path = folder / f"{slug}.md"
        if slug in tables or path.exists():
            continue
        if not dry_run:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as file:
                file.write(profile_text(person))
        what = f" ({person.role})" if person.role else ""
        verb = "would write" if dry_run else "wrote"
        said.append(f"profile: {verb} {display_path(path, config.site_dir)}{what}")
    return said


def profile_text(person: Person) -> str:
    """The Markdown file of a profile: its front matter, then the biography."""
    meta: dict[str, Any] = {"name": person.name}
    if person.role:
        meta["role"] = person.role
    if person.photo:
        meta["photo"] = {"src": person.photo, "alt": person.name}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n" + (f"\n{person.bio}\n" if person.bio else "")
