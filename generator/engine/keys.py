"""Page keys: a digest of everything that went into a page, to skip unchanged pages.

A page's key covers its template and every template that template loaded
(as the Jinja environment recorded last time), its context with each article
it shows reduced to that article's own digest, and every site-wide value
templates can see. Equal keys mean equal bytes, so the page is not rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import jinja2

from ..site.config import Config
from ..site.digests import digest
from ..site.model import Page, Ref
from ..site.render import Renderer
from .cache import CACHE_SALT


class PageKeys:
    """Keys of one build's pages."""

    def __init__(self, config: Config, renderer: Renderer,
                 articles: Mapping[str, str]) -> None:
        """`articles`: the `article_digest` of every article, by id."""
        self.env = renderer.env
        self.articles = articles
        sites = renderer.index.sites
        # `now` only decides which articles are shown, which the contexts say.
        self.site = digest(repr((replace(config, now=None), sorted(sites.items()), CACHE_SALT)),
                           *(renderer.env_for(language).words.digest for language in sorted(sites)))
        self._templates: dict[str, str] = {}

    def key(self, page: Page, templates: tuple[str, ...] | None) -> str | None:
        """The key of `page` given the templates its template loads; None if unknown."""
        if not templates:
            return None
        context = {name: self._reduce(value) for name, value in page.context.items()}
        return digest(
            self.site,
            page.url,
            page.template,
            *(f"{name}={self._template(name)}" for name in templates),
            repr(context),
        )

    def _reduce(self, value: Any) -> Any:
        if isinstance(value, Ref):
            return self.articles[value.id]
        if isinstance(value, tuple) and value and isinstance(value[0], Ref):
            return tuple(self.articles[ref.id] for ref in value)
        return value

    def _template(self, name: str) -> str:
        if name not in self._templates:
            self._templates[name] = _source_digest(self.env, name)
        return self._templates[name]


def _source_digest(env: jinja2.Environment, name: str) -> str:
    assert env.loader is not None
    try:
        source, _, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "missing"
    return digest(source)

