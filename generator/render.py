"""The Jinja2 environment and the pure function that turns a page into bytes.

Templates are looked up site first (`templates/`), then the theme
(`themes/<name>/templates/`), then the built-in default theme. A site
template can extend the one it overrides as `theme/<name>` (or
`builtin/<name>` for the built-in theme's version).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import traceback
from collections import OrderedDict
from collections.abc import Hashable, Mapping, MutableMapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from . import structured, urls
from .archive import SiteIndex
from .cache import (
    COMPILED_TEMPLATES,
    Store,
    StoredArticles,
    delete_others,
    page_from,
    signing_key,
    toolchain_digest,
)
from .config import Config
from .errors import ContentError
from .links import internal_links
from .model import Article, Page, Ref, pickled_by_fields
from .pages import TermCount
from .parallel import SharedLog, shared_log
from .search import has_search
from .theme_paths import builtin_theme, theme_dir

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


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
    corrections: bool
    """Whether the site has a /corrections/ page (and the footer links to it)."""


@dataclass(frozen=True, slots=True)
class RenderIndex:
    """All that rendering reads of the index, and all a worker is sent of it."""

    articles: Mapping[str, Article]
    """Every published article, whole, by id in index order: what a page's `Ref`s
    name. Workers read each from the store when a page first asks for it."""
    site: SiteInfo
    """The `site` of every template."""


def render_index(config: Config, index: SiteIndex, articles: Mapping[str, Article]
                 ) -> RenderIndex:
    """What rendering needs of `index`, with its `articles` whole."""
    site = SiteInfo(
        title=config.title,
        description=config.description,
        language=config.language,
        base_url=config.base_url,
        publisher=config.publisher_name,
        sections=tuple(
            TermCount(t.name, t.url, len(t.article_ids)) for t in index.sections.values()
        ),
        search=has_search(config, index),
        corrections=bool(index.corrections),
    )
    return RenderIndex(articles, site)


def make_environment(config: Config, index: RenderIndex) -> jinja2.Environment:
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
        bytecode_cache=_compiled_templates(config),
        auto_reload=False,  # one environment serves one build: no template changes under it
    )
    absolute = structured.Absolute(config)
    base_path, zone = config.base_path, config.zone  # properties, worked out at each access
    env.filters.update(
        link=lambda url: url if "://" in url else base_path + url,
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
        short_time=lambda when: short_time(when, zone),
        month_year=lambda d: f"{MONTHS[d.month - 1]} {d.year}",
    )
    env.globals["site"] = index.site
    return env


def _compiled_templates(config: Config) -> SignedBytecodeCache | None:
    """Templates compiled once, kept in the build cache; Jinja checks each against its
    source. The versions of Folio and Jinja are in the names: they set how templates
    compile."""
    key = signing_key()
    if key is None:
        return None
    folder = config.cache_dir / COMPILED_TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    toolchain = toolchain_digest()[:16]
    delete_others(folder, "*.cache", toolchain)
    return SignedBytecodeCache(folder, toolchain, key)


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates, each file signed with this user's key: compiled
    code runs when loaded, so an entry is loaded only when its signature holds."""

    def __init__(self, folder: Path, prefix: str, key: bytes) -> None:
        self.folder = folder
        self.prefix = prefix
        self.key = key

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        signature, code = data[: self._SIZE], data[self._SIZE :]
        if hmac.compare_digest(signature, self._sign(bucket, code)):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        path = self._path(bucket)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(self._sign(bucket, code) + code)
            temporary.replace(path)
        except OSError:
            temporary.unlink(missing_ok=True)

    _SIZE = hashlib.sha256().digest_size

    def _sign(self, bucket: jinja2.bccache.Bucket, code: bytes) -> bytes:
        return hmac.new(self.key, bucket.key.encode() + b"\0" + code, hashlib.sha256).digest()

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{self.prefix}-{bucket.key}.cache"


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


@dataclass(frozen=True, slots=True)
class RenderSetup:
    """Everything rendering reads, sent once to each worker."""

    config: Config
    index: RenderIndex
    bodies: Store
    token: str
    """Tells one build's setup from another's in a worker that served both."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process with the articles left in the store, each read there
        when a page first asks for it: a worker that held a 100k archive's articles
        held 160 MB more for them."""
        index, store = self.index, self.bodies
        if not isinstance(index.articles, StoredArticles):
            index = replace(index, articles=StoredArticles(store, tuple(index.articles), {}))
        return RenderSetup, (self.config, index, store, self.token)


@pickled_by_fields  # hundreds of thousands cross from workers to the building process
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


class Renderer:
    """A Jinja environment over one build's index: renders pages, changes nothing."""

    def __init__(self, setup: RenderSetup) -> None:
        self.env = make_environment(setup.config, setup.index)
        self.index = setup.index
        self.bodies = setup.bodies
        self.base_path = setup.config.base_path
        absolute = structured.Absolute(setup.config)
        self.env.filters["feed_body"] = lambda article: escape(
            structured.xml_text(absolute.links(article.body_html))
        )
        self.env.globals["fragment"] = self.fragment
        self._fragments = Fragments(shared_log(), setup.token)

    def fragment(self, name: str, article: ArticleView, **args: Any) -> Markup:
        """Template `name` rendered for `article` alone, once per article and arguments.

        A story's card or feed entry is the same on every page that shows it, so it
        is rendered once and reused; the templates it loaded are recorded again on
        every use, so each page still knows everything it depends on.
        """
        kind = (name, tuple(sorted(args.items())))
        found = self._fragments.get(kind, article.id)
        if found is None:
            loaded: list[str] = []
            recording = _LOADED.set(loaded)
            try:
                html = Markup(self.env.get_template(name).render(article=article, **args))
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
            text = self.env.get_template(page.template).render(context)
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

    def __init__(self, article_id: str, articles: Mapping[str, Article], bodies: Store) -> None:
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


Fragment = tuple[Markup, tuple[str, ...]]
"""A rendered fragment, with the templates it loaded."""


class Fragments:
    """Rendered fragments, by kind (a template and its arguments) and article id.

    In a worker of a forked pool they go to the log the workers share, so a
    story's card is rendered once for the pool, not once in every worker (with
    two workers, 1.7 s of CPU on a 10k build). Elsewhere, or once that log is
    full, they are kept here, the least recently used dropped past a size.
    """

    LIMIT = 160_000_000
    """Characters kept here: about 160 MB, the cards of 100,000 stories (1.2 to
    1.5 KB each). A story's card shows on its home, section, tag and author pages,
    far apart in the plan; with 32 MB, a 100k build rendered most cards again at
    each showing (50 s more CPU, 14% of the build)."""

    def __init__(self, log: SharedLog | None = None, token: str = "") -> None:
        self._entries: OrderedDict[tuple[Hashable, str], Fragment] = OrderedDict()
        self._size = 0
        self._log = log
        self._token = token
        """The build's: a pool's log outlives a build, and keeps other builds' fragments."""
        self._logged: dict[Hashable, dict[str, int]] = {}
        """Fragments in the log, any worker's, by kind and id: where the HTML starts,
        its size and the templates it loaded (by number), in one int. A worker of a
        100k build knows 300,000 of them: as tuples of their own they took 100 MB."""
        self._ids: dict[str, str] = {}
        """Every article id, kept once: each is in the keys of its card, its card
        among related stories and its feed entry."""
        self._loads: list[tuple[str, ...]] = []
        """Every list of templates a logged fragment loaded, numbered."""
        self._numbers: dict[tuple[str, ...], int] = {}

    def get(self, kind: Hashable, article_id: str) -> Fragment | None:
        found = self._entries.get((kind, article_id))
        if found is not None:
            self._entries.move_to_end((kind, article_id))
            return found
        if self._log is None:
            return None
        place = self._logged.get(kind, {}).get(article_id)
        if place is None:
            self._catch_up(self._log)
            place = self._logged.get(kind, {}).get(article_id)
        if place is None:
            return None
        start, size = place >> 48, place >> 16 & 0xFFFF_FFFF
        return Markup(self._log.body(start, size).decode("utf-8")), self._loads[place & 0xFFFF]

    def _catch_up(self, log: SharedLog) -> None:
        """Note the fragments other workers logged since last time."""
        for head, start, size in log.news():
            token, kind, article_id, loaded = pickle.loads(head)
            if token == self._token and article_id not in self._logged.get(kind, {}):
                self._note(kind, article_id, start, size, loaded)

    def _note(self, kind: Hashable, article_id: str, start: int, size: int,
              loaded: tuple[str, ...]) -> bool:
        """Remember where a fragment lies in the log; False past 65,536 different
        lists of templates."""
        number = self._numbers.get(loaded)
        if number is None:
            if len(self._loads) > 0xFFFF:
                return False
            number = self._numbers[loaded] = len(self._loads)
            self._loads.append(loaded)
        article_id = self._ids.setdefault(article_id, article_id)
        self._logged.setdefault(kind, {})[article_id] = (start << 32 | size) << 16 | number
        return True

    def put(self, kind: Hashable, article_id: str, html: Markup,
            loaded: tuple[str, ...]) -> Fragment:
        if self._log is not None and self._log_one(self._log, kind, article_id, html, loaded):
            return html, loaded
        self._entries[kind, article_id] = (html, loaded)
        self._size += len(html)
        while self._size > self.LIMIT:
            _, (dropped, _) = self._entries.popitem(last=False)
            self._size -= len(dropped)
        return html, loaded

    def _log_one(self, log: SharedLog, kind: Hashable, article_id: str, html: Markup,
                 loaded: tuple[str, ...]) -> bool:
        try:
            head = pickle.dumps((self._token, kind, article_id, loaded),
                                protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False  # a theme passed the fragment something that cannot be shared
        body = html.encode("utf-8")
        start = log.append(head, body)
        return start is not None and self._note(kind, article_id, start, len(body), loaded)


# The templates loaded by the render under way in this thread or task.
_LOADED: ContextVar[list[str] | None] = ContextVar("folio_templates_loaded", default=None)


class RecordingEnvironment(jinja2.Environment):
    """A Jinja environment that notes every template a render loads (Lektor's way),
    so no page's dependencies are ever kept by hand."""

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
        Python (about 5% of rendering). Globals are all set before any template loads."""
        return {**self.globals, **(d or {})}


# One Renderer per build in each worker process, made on its first batch.
_RENDERERS: dict[str, Renderer] = {}


def render_batch(setup: RenderSetup, pages: Sequence[Page]) -> list[Rendered]:
    """Render `pages`; runs in a worker process or in the building process."""
    renderer = _RENDERERS.get(setup.token)
    if renderer is None:
        _RENDERERS.clear()
        renderer = _RENDERERS[setup.token] = Renderer(setup)
    with setup.bodies.reading():
        return [renderer.render(page) for page in pages]


def render_encoded_batch(setup: RenderSetup, pages: Sequence[bytes]) -> list[Rendered]:
    """Render pages that were sent encoded (see pipeline.render_pages)."""
    return render_batch(setup, [page_from(data) for data in pages])


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
