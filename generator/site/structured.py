"""Machine-readable descriptions of articles: schema.org JSON-LD, made inert for HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from . import urls
from .config import Config
from .model import Article
from .people import Profile
from .slugs import slugify

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


class Absolute:
    """Turns site paths into absolute URLs under `base_url`."""

    def __init__(self, config: Config) -> None:
        self.origin = urls.origin(config.base_url)
        self.base = self.origin + config.base_path

    def __call__(self, url: str) -> str:
        return url if "://" in url else self.base + url

    def links(self, html: str) -> str:
        """Root-relative href/src in body HTML made absolute (they are relative to the host)."""
        return _ROOT_RELATIVE.sub(rf"\1{self.origin}/", html)


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (form feeds, NULs...)."""
    return _INVALID_XML.sub("", text)


def news_language(tag: str) -> str:
    """Google News wants an ISO 639 code: 'en', 'fr', or 'zh-cn' / 'zh-tw'."""
    lowered = tag.lower()
    return lowered if lowered in ("zh-cn", "zh-tw") else lowered.split("-")[0]


def news_article(article: Article, config: Config, people: Iterable[Profile] = ()
                 ) -> dict[str, Any]:
    """schema.org NewsArticle for one article; `people`: the profiles of its bylines."""
    absolute = Absolute(config)
    organizations = {slugify(name) for name in config.organizations}
    profiles = {profile.slug: profile for profile in people}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [
            _author(name, slugify(name) in organizations, profiles.get(slugify(name)), absolute,
                    article.language)
            for name in article.bylines
        ],
        "publisher": {"@type": "Organization", "name": config.publisher_name,
                      "url": config.base_url},
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(article.url)},
        "articleSection": article.section,
        "keywords": list(article.tags),
        "inLanguage": article.language or config.language,
    }
    if article.photo and article.photo.src:
        data["image"] = [absolute(article.photo.src)]
    if article.corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c.text, "datePublished": c.date.isoformat()}
            for c in article.corrections
        ]
    return data


def _author(name: str, organization: bool, profile: Profile | None,
            absolute: Absolute, language: str) -> dict[str, Any]:
    """A byline as a schema.org Person or Organization; its page in the story's language's
    archive and its profile's links."""
    data: dict[str, Any] = {
        "@type": "Organization" if organization else "Person",
        "name": name,
        "url": absolute(urls.in_language(language, urls.author_url(name))),
    }
    if profile and profile.role and not organization:
        data["jobTitle"] = profile.role
    if profile and profile.photo and profile.photo.src:
        data["image"] = absolute(profile.photo.src)
    if profile and profile.same_as:
        data["sameAs"] = list(profile.same_as)
    return data


def script_json(data: dict[str, Any]) -> Markup:
    """JSON safe to place inside <script>: no '<', '>' or '&' can end or bend the element."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)
