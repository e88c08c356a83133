"""The Jinja2 environment and the pure function that turns a page into bytes.

Templates are looked up site first (`templates/`), then the theme
(`themes/<name>/templates/`), then the built-in default theme. A site
template can extend the one it overrides as `theme/<name>` (or
`builtin/<name>` for the built-in theme's version).
"""

from __future__ import annotations

import gettext
import traceback
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import jinja2
from markupsafe import Markup, escape

from . import structured, urls
from .archive import Edition, SiteIndex
from .config import Config, MenuItem, image_size
from .dates import DateWriter
from .embeds import feed_form
from .errors import ContentError
from .images import feed_pictures
from .links import internal_links
from .model import Article, Page, Photo, Ref, pickled_by_fields
from .pages import TermCount, TermLink, Translation
from .search import has_search
from .theme_paths import builtin_theme, theme_dir
from .words import Words, site_words

SHARE_WIDTH = 1200
"""Pixels wide an image to share should be, at least, when the photo allows."""


@dataclass(frozen=True, slots=True)
class ShareImage:
    """The image shared for a page with no photo of its own (`share_image`)."""

    url: str
    """Site path or address of the image."""
    width: int | None
    """Width in pixels; None for an outside address."""
    height: int | None
    """Height in pixels; None for an outside address."""
    format: str | None = None
    """Image format as Pillow names it (JPEG, PNG, GIF, WEBP), when known."""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every template knows about the site as `site`."""

    title: str
    description: str
    language: str
    base_url: str
    publisher: str
    sections: tuple[TermLink, ...]
    """Every section, for the masthead; with no counts, which are in every page's key."""
    search: bool
    """Whether the site has a /search/ page (and the nav links to it)."""
    corrections: bool
    """Whether the site has a /corrections/ page (and the footer links to it)."""
    menu: tuple[MenuItem, ...] = ()
    """Links of the site menu, in order (`menu_items`): the configured or default
    links, then the standalone pages with `menu: true`."""
    share_image: ShareImage | None = None
    """Shared for pages with no photo of their own."""
    prefix: str = ""
    """What the URLs of this language's lists start with: "" for the site's own, "/fr"."""
    languages: tuple[Translation, ...] = ()
    """The home page of every language's archive, the site's own first, when there are
    more than one."""


@dataclass(frozen=True, slots=True)
class RenderIndex:
    """All that rendering reads of the index, and all a worker is sent of it."""

    articles: Mapping[str, Article]
    """Every published article, whole, by id in index order: what a page's `Ref`s
    name. Workers read each from the store when a page first asks for it."""
    sites: Mapping[str, SiteInfo]
    """The `site` of every template, by the language of the page ("" for the site's own)."""


def site_infos(config: Config, index: SiteIndex) -> dict[str, SiteInfo]:
    """What every template knows of the site, in each language's archive."""
    homes = tuple(Translation(language or config.language, urls.in_language(language, "/"),
                              config.title) for language in index.editions)
    return {language: site_info(config, index, edition, homes if len(homes) > 1 else ())
            for language, edition in index.editions.items()}


def site_info(config: Config, index: SiteIndex, edition: Edition,
              languages: tuple[Translation, ...] = ()) -> SiteInfo:
    """What every template of one language's pages knows of the site: `config`, the
    archive as a whole and the language's archive."""
    sections = tuple(TermLink(t.name, t.url) for t in edition.sections.values())
    return SiteInfo(
        title=config.title,
        description=config.description,
        language=edition.language or config.language,
        base_url=config.base_url,
        publisher=config.publisher_name,
        sections=sections,
        search=has_search(config, index),
        corrections=bool(edition.corrections),
        menu=menu_items(config, sections, edition),
        share_image=_share_image(config),
        prefix=edition.prefix,
        languages=languages,
    )


def menu_items(config: Config, sections: tuple[TermLink, ...],
               edition: Edition) -> tuple[MenuItem, ...]:
    """The site menu: `[[menu]]` of folio.toml (in the site's own language), else every
    section and the indexes; then the standalone pages with `menu: true`."""
    prefix = edition.prefix
    indexes = (MenuItem("Tags", prefix + "/tags/"), MenuItem("Authors", prefix + "/authors/"),
               MenuItem("Archive", prefix + "/archive/"))
    configured = () if edition.language else config.menu
    links = configured or (*(MenuItem(s.name, s.url) for s in sections), *indexes)
    return (*links, *(MenuItem(page.title, page.url) for page in edition.menu))


def _share_image(config: Config) -> ShareImage | None:
    if not config.share_image:
        return None
    if "://" in config.share_image:
        return ShareImage(config.share_image, None, None)
    width, height = image_size(config.site_dir / "static" / config.share_image.lstrip("/"))
    return ShareImage(config.share_image, width, height)


def share_copy(photo: Photo) -> ShareImage:
    """The file of a photo to share and put in feeds: its first copy at least 1200 pixels
    wide (what Facebook and X show best), else its largest; an outside photo as it is."""
    wide = [v for v in photo.variants if v.width >= SHARE_WIDTH]
    chosen = wide[0] if wide else (photo.variants[-1] if photo.variants else None)
    if chosen is None:
        return ShareImage(photo.src or "", photo.width, photo.height)
    return ShareImage(chosen.url, chosen.width, chosen.height, chosen.format)


def initials(terms: Iterable[TermCount]) -> list[tuple[str, list[TermCount]]]:
    """Terms grouped by first letter, accents folded ('Élysée' under E), in the order
    given; names that start with no letter go under '#'."""
    groups: dict[str, list[TermCount]] = {}
    for term in terms:
        first = unicodedata.normalize("NFKD", term.name.lstrip())[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(term)
    return sorted(groups.items(), key=lambda group: (group[0] != "#", group[0]))


def make_environment(config: Config, index: RenderIndex,
                     compiled: jinja2.BytecodeCache | None = None,
                     language: str = "") -> RecordingEnvironment:
    """The environment of the pages in `language` ("" for the site's own)."""
    theme = jinja2.FileSystemLoader(theme_dir(config) / "templates")
    builtin = jinja2.FileSystemLoader(builtin_theme() / "templates")
    env = RecordingEnvironment(
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
        bytecode_cache=compiled,
        auto_reload=False,  # one environment serves one build: no template changes under it
        extensions=["jinja2.ext.i18n"],
    )
    env.words = site_words(config, language)
    env.install_gettext_translations(env.words.translations, newstyle=True)  # type: ignore[attr-defined]
    absolute = structured.Absolute(config)
    base_path = config.base_path  # a property, worked out at each access
    site = index.sites[language]
    dates = DateWriter.of(config.date_style, site.language, config.zone)
    env.filters.update(
        link=lambda url: url if "://" in url else base_path + url,
        absolute=absolute,
        absolute_links=absolute.links,
        xml_text=structured.xml_text,
        news_language=structured.news_language,
        news_article_ld=lambda article, people=(): structured.script_json(
            structured.news_article(article, config, people)
        ),
        edition=_in_edition(lambda url: url),
        tag_url=_in_edition(urls.tag_url),
        author_url=_in_edition(urls.author_url),
        section_url=_in_edition(urls.section_url),
        language_name=language_name,
        long_date=dates.day,
        short_time=dates.time,
        month_year=dates.month,
        initials=initials,
        share_copy=share_copy,
        media_type=lambda image_format: f"image/{image_format.lower()}",
    )
    env.globals["site"] = site
    return env


def _in_edition(url_of: Callable[[str], str]) -> Callable[..., str]:
    """A filter giving `url_of` its value in the archive of the page's language. It reads
    the page's `site`: Jinja folds a filter of a constant when it compiles a template,
    and one compiled template serves every language."""
    return jinja2.pass_context(lambda context, value: context["site"].prefix + url_of(value))


def language_name(tag: str) -> str:
    """The name of language `tag` in that language, as a reader of it looks for it:
    'Français' for fr; the tag itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name()
    except (UnknownLocaleError, ValueError):
        return tag
    return name[:1].upper() + name[1:] if name else tag


@pickled_by_fields  # one per page crosses from workers to the building process
@dataclass(frozen=True, slots=True)
class Rendered:
    """One page rendered, or the errors that stopped it."""

    url: str
    data: bytes
    templates: tuple[str, ...]
    """Every template the rendering loaded, the page's own first."""
    errors: tuple[ContentError, ...] = ()
    links: tuple[str, ...] = ()
    """Internal links of an HTML page, as the output files they need."""


class Bodies(Protocol):
    """Where article bodies, rendered to HTML, are read by their digest."""

    def read(self, key: str) -> str: ...


Fragment = tuple[Markup, tuple[str, ...]]
"""A rendered fragment, with the templates it loaded."""


class Fragments:
    """Rendered fragments, by kind (a template and its arguments) and article id,
    kept in this process's memory, the least recently used dropped past a size."""

    LIMIT = 160_000_000
    """Characters kept: room for the card of every story of a big archive. A story's
    card shows on its home, section, tag and author pages, far apart in the plan; a
    smaller cache renders most cards again at each showing."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[Hashable, str], Fragment] = OrderedDict()
        self._size = 0

    def get(self, kind: Hashable, article_id: str) -> Fragment | None:
        found = self._entries.get((kind, article_id))
        if found is not None:
            self._entries.move_to_end((kind, article_id))
        return found

    def put(self, kind: Hashable, article_id: str, html: Markup,
            loaded: tuple[str, ...]) -> Fragment:
        self._entries[kind, article_id] = (html, loaded)
        self._size += len(html)
        while self._size > self.LIMIT:
            _, (dropped, _) = self._entries.popitem(last=False)
            self._size -= len(dropped)
        return html, loaded


class Renderer:
    """A Jinja environment over one build's index: renders pages, changes nothing."""

    def __init__(self, config: Config, index: RenderIndex, bodies: Bodies,
                 fragments: Fragments | None = None,
                 compiled: jinja2.BytecodeCache | None = None) -> None:
        """`fragments`: where rendered cards and entries are kept (this process's
        memory when None); `compiled`: where Jinja keeps compiled templates."""
        self.config = config
        self.index = index
        self.bodies = bodies
        self.base_path = config.base_path
        self._compiled = compiled
        self._envs: dict[str, RecordingEnvironment] = {}
        self._fragments = fragments or Fragments()

    @property
    def env(self) -> RecordingEnvironment:
        """The environment of the pages in the site's own language."""
        return self.env_for("")

    def env_for(self, language: str) -> RecordingEnvironment:
        """The environment of the pages in `language` ("" for the site's own)."""
        env = self._envs.get(language)
        if env is None:
            env = self._envs[language] = make_environment(self.config, self.index,
                                                          self._compiled, language)
            absolute = structured.Absolute(self.config)
            env.filters["feed_body"] = lambda article: escape(
                structured.xml_text(absolute.links(feed_pictures(feed_form(article.body_html))))
            )
            env.globals["fragment"] = (
                lambda name, article, **args: self.fragment(name, article, language, **args))
        return env

    def fragment(self, name: str, article: ArticleView, language: str = "",
                 **args: Any) -> Markup:
        """Template `name` rendered for `article` alone, once per article and arguments.

        A story's card or feed entry is the same on every page that shows it, so it
        is rendered once and reused; the templates it loaded are recorded again on
        every use, so each page still knows everything it depends on.
        """
        kind = (name, language, tuple(sorted(args.items())))
        found = self._fragments.get(kind, article.id)
        if found is None:
            loaded: list[str] = []
            recording = _LOADED.set(loaded)
            try:
                template = self.env_for(language).get_template(name)
                html = Markup(template.render(article=article, **args))
            finally:
                _LOADED.reset(recording)
            found = self._fragments.put(kind, article.id, html, tuple(loaded))
        outer = _LOADED.get()
        if outer is not None:
            outer.extend(found[1])
        return found[0]

    def render(self, page: Page) -> Rendered:
        context = {key: self._resolve(value) for key, value in page.context.items()}
        context["page"] = page
        loaded: list[str] = []
        recording = _LOADED.set(loaded)
        try:
            language = page.context.get("language", "")
            env = self.env_for(language if isinstance(language, str) else "")
            text = env.get_template(page.template).render(context)
        except jinja2.TemplateError as exc:
            return Rendered(page.url, b"", (), (_template_error(exc, page),))
        finally:
            _LOADED.reset(recording)
        is_html = urls.file_name(page.url).endswith(".html")
        found = internal_links(text, page.url, self.base_path) if is_html else ()
        return Rendered(page.url, text.encode("utf-8"), tuple(dict.fromkeys(loaded)), (), found)

    def _resolve(self, value: Any) -> Any:
        articles = self.index.articles
        if isinstance(value, Ref):
            return ArticleView(value.id, articles, self.bodies)
        if isinstance(value, tuple) and value and isinstance(value[0], Ref):
            return [ArticleView(ref.id, articles, self.bodies) for ref in value]
        return value


class ArticleView:
    """An article as templates see it: its fields, the article found when a template
    first asks for one (a list page whose cards were all rendered before asks only
    for ids), and `body_html` read when asked for."""

    __slots__ = ("_article", "_articles", "_bodies", "id")

    def __init__(self, article_id: str, articles: Mapping[str, Article], bodies: Bodies) -> None:
        self.id = article_id
        self._articles = articles
        self._bodies = bodies
        self._article: Article | None = None

    def __getattr__(self, name: str) -> Any:
        article = self._article
        if article is None:
            article = self._article = self._articles[self.id]
        return getattr(article, name)

    @property
    def body_html(self) -> str:
        digest: str = self.body_digest
        return self._bodies.read(digest)


# The templates loaded by the render under way in this thread or task.
_LOADED: ContextVar[list[str] | None] = ContextVar("folio_templates_loaded", default=None)


class RecordingEnvironment(jinja2.Environment):
    """A Jinja environment that notes every template a render loads (Lektor's way),
    so no page's dependencies are ever kept by hand."""

    words: Words = Words(gettext.NullTranslations(), "")
    """The theme's words in the site's language (`_` in templates)."""

    def _load_template(
        self, name: str, globals: MutableMapping[str, Any] | None
    ) -> jinja2.Template:
        loaded = _LOADED.get()
        if loaded is not None:
            loaded.append(name)
        return super()._load_template(name, globals)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict, not Jinja's ChainMap over the
        environment's: every render copies them, and copying a ChainMap runs in
        Python. Globals are all set before any template loads."""
        return {**self.globals, **(d or {})}


def _template_error(exc: jinja2.TemplateError, page: Page) -> ContentError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or page.template
        return ContentError(where, exc.message or str(exc), line=exc.lineno)
    where, line = _template_location(exc, page.template)
    return ContentError(where, f"{exc} (while rendering {page.url})", line=line)


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The innermost template file and line in the traceback of a render error."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return frame.filename, frame.lineno
    return fallback, None
