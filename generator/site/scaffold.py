"""`folio new`: a fresh article file with front matter filled in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from .config import Config
from .errors import FolioError, UsageError
from .slugs import slugify


def new_article(config: Config, headline: str, section: str | None) -> Path:
    """Write content/<slug>.md as a draft dated now; never overwrite a file."""
    slug = slugify(headline)
    if not slug:
        raise UsageError("the headline needs at least one letter or digit")
    path = config.content_dir / f"{slug}.md"
    if path.exists():
        raise FolioError(f"{path} already exists; refusing to overwrite it")
    now = (config.now or datetime.now(UTC)).astimezone(config.zone).replace(second=0, microsecond=0)
    front_matter = {
        "title": headline,
        "dek": "",
        "byline": ["Your Name"],
        "date": now.isoformat(),
        "section": section or config.default_section,
        "tags": [],
        "draft": True,
    }
    text = "---\n" + yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(text + "---\n\nWrite the story here. Remove `draft: true` to publish it.\n")
    return path
