"""The Jinja2 environment and the pure function that turns a page into bytes.

Templates are looked up site first (`templates/`), then the theme
(`themes/<name>/templates/`), then the built-in default theme. A site
template can extend the one it overrides as `theme/<name>` (or
`builtin/<name>` for the built-in theme's version).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from . import structured, urls
from .archive import SiteIndex
from .config import Config
from .errors import ContentError, ContentErrors, FolioError
from .model import Page, Ref
from .pages import TermCount
from .search import has_search

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def builtin_theme() -> Path:
    """The default theme: inside the installed package, or at the top of a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "themes" / "default"
    return installed if installed.is_dir() else package.parent / "themes" / "default"


def theme_dir(config: Config) -> Path:
    """The folder of the theme `config.theme` names; raises when it does not exist."""
    candidate = config.site_dir / "themes" / config.theme
    if candidate.is_dir():
        return candidate
    if config.theme == "default":
        return builtin_theme()
    raise FolioError(f"folio.toml: theme: no folder themes/{config.theme} in {config.site_dir}")


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every template knows about the site as `site`."""

    title: str
    description: str
    language: str
    base_url: str
    publisher: str
    sections: tuple[TermCount, ...]
    search: bool
    """Whether the site has a /search/ page (and the nav links to it)."""


def make_environment(config: Config, index: SiteIndex) -> jinja2.Environment:
    theme = jinja2.FileSystemLoader(theme_dir(config) / "templates")
    builtin = jinja2.FileSystemLoader(builtin_theme() / "templates")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({"theme": theme, "builtin": builtin}),
                jinja2.FileSystemLoader(config.site_dir / "templates"),
                theme,
                builtin,
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    absolute = structured.Absolute(config)
    env.filters.update(
        link=lambda url: url if "://" in url else config.base_path + url,
        absolute=absolute,
        absolute_links=absolute.links,
        xml_text=structured.xml_text,
        news_language=structured.news_language,
        news_article_ld=lambda article: structured.script_json(
            structured.news_article(article, config)
        ),
        tag_url=urls.tag_url,
        author_url=urls.author_url,
        section_url=urls.section_url,
        long_date=long_date,
        short_time=lambda when: short_time(when, config.zone),
        month_year=lambda d: f"{MONTHS[d.month - 1]} {d.year}",
    )
    env.globals["site"] = SiteInfo(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.base_url,
        publisher=config.publisher_name,
        sections=tuple(
            TermCount(t.name, t.url, len(t.article_ids)) for t in index.sections.values()
        ),
        search=has_search(config, index),
    )
    return env


def long_date(when: date) -> str:
    """'September 18, 2015', the same on every machine whatever its locale."""
    return f"{MONTHS[when.month - 1]} {when.day}, {when.year}"


def short_time(when: datetime, site_zone: ZoneInfo) -> str:
    """'5:10 pm EDT': the time as written, named by the site's zone when the offsets agree."""
    hour = when.hour % 12 or 12
    local = when.astimezone(site_zone)
    if local.utcoffset() == when.utcoffset():
        zone = local.tzname() or ""
    else:
        zone = (when.tzname() or "").replace("-", "\u2212")
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'} {zone}".rstrip()


def render_page(env: jinja2.Environment, page: Page, index: SiteIndex) -> bytes:
    """The bytes of one page. Reads `page` and `index`, changes nothing."""
    context = {key: _resolve(value, index) for key, value in page.context.items()}
    context["page"] = page
    try:
        template = env.get_template(page.template)
        return template.render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise ContentErrors(
            [
                ContentError(
                    exc.filename or exc.name or page.template,
                    exc.message or str(exc),
                    line=exc.lineno,
                )
            ]
        ) from None
    except jinja2.TemplateError as exc:
        where, line = _template_location(exc, page.template)
        raise ContentErrors(
            [
                ContentError(
                    where,
                    f"{exc} (while rendering {page.url})",
                    line=line,
                )
            ]
        ) from None


def _resolve(value: Any, index: SiteIndex) -> Any:
    if isinstance(value, Ref):
        return index.articles[value.id]
    if isinstance(value, tuple) and value and isinstance(value[0], Ref):
        return [index.articles[ref.id] for ref in value]
    return value


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback of a render error."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return frame.filename, frame.lineno
    return fallback, None
