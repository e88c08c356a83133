"""Template code in generator bodies (Hugo shortcodes, Liquid, Nunjucks) into Markdown.

The source's templates ran when its site was built; Folio has none, so each tag
becomes what it produced: an image, a code block, a link to a video, the URL of
another imported story. A tag this module does not know becomes a visible
placeholder, named so the import report can count it; a paired one keeps the
text it wrapped. Nothing is left for a reader to see as `{{< … >}}` or `{% … %}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

from ..site import urls

PLACEHOLDER = "[Embedded content from the original site: {name}]"
"""What a reader sees where a tag the import cannot translate stood."""

_HUGO = (
    r"\{\{[<%](?P<hcomment>/\*)?\s*(?P<hclose>/)?\s*(?P<hname>[\w.-]+)(?P<hargs>.*?)"
    r"\s*(?:\*/)?\s*[>%]\}\}"
)
_LIQUID = r"\{%-?\s*(?P<lname>\w+)(?P<largs>.*?)\s*-?%\}"
_BASEURL = r"\{\{-?\s*site\.baseurl\s*-?\}\}(?P<bpath>/[^\s)\"'<>\]]*)?"
_OUTPUT = r"\{\{-?\s*(?P<expr>.*?)\s*-?\}\}"
TAG = re.compile("|".join((_HUGO, _LIQUID, _BASEURL, _OUTPUT)), re.S)
"""Any template tag: a Hugo shortcode, a Liquid or Nunjucks tag, `{{ output }}`."""

_PROTECTED = re.compile(
    r"\{%-?\s*raw\s*-?%\}(?P<raw>.*?)\{%-?\s*endraw\s*-?%\}"
    r"|\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}",
    re.S,
)
_ARGUMENT = re.compile(
    r"""(?:(?P<key>[\w-]+)\s*(?:=|:(?!//))\s*)?(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|`(?P<bq>[^`]*)`|(?P<bare>[^\s,"'`]+))"""
)
_ASSIGNMENT = re.compile(r"""^\s*(?P<name>\w+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*$""")
_STRING = re.compile(r"""^(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')$""")
_VARIABLE = re.compile(r"^(?:page\.|include\.|post\.)?(?P<name>[\w-]+)$")
_IMAGE_NAME = re.compile(r"img|image|figure|photo|picture|pic", re.I)
_IMAGE_SOURCE = ("src", "image", "url", "file", "path", "name")
_CONTROL_END = re.compile(r"^(?:end\w+|else|elsif|elif|when)$")
_DATED_PATH = re.compile(r"^/\d{4}/\d{1,2}/(?:\d{1,2}/)?(?P<name>[^/#?]+)/?$")
_BODY_LINK = re.compile(r"(?P<lead>\]\(\s*<?|\bhref=[\"'])(?P<path>/[^\s)\"'>]*)")
_LIQUID_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+(?P<lang>\w+)[^%]*%\}\n?(?P<code>.*?)\n?\{%-?\s*endhighlight\s*-?%\}",
    re.S,
)
_HUGO_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+(?P<lang>[\w+-]+)[^}]*?[>%]\}\}\n?(?P<code>.*?)\n?"
    r"\{\{[<%]\s*/highlight\s*[>%]\}\}",
    re.S,
)
_TOKEN = "\x00{}\x00"
_RESTORE = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True, slots=True)
class Links:
    """The new URLs of the imported stories, by the names templates use for them."""

    by_name: Mapping[str, str] = field(default_factory=dict)
    """File stem (with and without its leading date), lower case, to URL."""
    by_path: Mapping[str, str] = field(default_factory=dict)
    """Old site path (an alias) to URL."""

    def story(self, reference: str) -> str | None:
        """The URL of the story a `ref`, `post_url` or `link` names, with its #anchor."""
        path, _, anchor = reference.strip().partition("#")
        found = self.by_name.get(reference_key(path)) if path else None
        return found and (f"{found}#{anchor}" if anchor else found)

    def path(self, path: str) -> str:
        """The new URL of an old path (an alias, or a dated path ending in a story's name),
        or the path as written."""
        target, _, anchor = path.partition("#")
        try:
            found = self.by_path.get(urls.fold(urls.normalize(target)))
        except ValueError:
            return path
        dated = _DATED_PATH.match(target)
        found = found or (self.by_name.get(dated["name"].lower()) if dated else None)
        return (f"{found}#{anchor}" if anchor else found) if found else path


def reference_key(path: str) -> str:
    """`2015-02-10-slug` from `_posts/2015-02-10-slug.md`, `posts/slug/index.md`, `/slug/`."""
    parts = PurePosixPath(path.strip().strip("/")).parts
    if parts and parts[-1] in ("index.md", "_index.md") and len(parts) > 1:
        parts = parts[:-1]
    name = parts[-1] if parts else ""
    return re.sub(r"\.(?:md|markdown|mdown|mkd|html?)$", "", name, flags=re.I).lower()


def undated(key: str) -> str:
    """`slug` from `2015-02-10-slug`."""
    return re.sub(r"^\d{4}-\d{1,2}-\d{1,2}-", "", key)


def story_links(stories: Iterable[tuple[str, str, Iterable[str]]]) -> Links:
    """Links from (source file, new URL, old paths) of each story; the first of a name wins."""
    by_name: dict[str, str] = {}
    by_path: dict[str, str] = {}
    for source, url, aliases in stories:
        key = reference_key(source)
        by_name.setdefault(key, url)
        by_name.setdefault(undated(key), url)
        for alias in aliases:
            by_path.setdefault(urls.fold(alias), url)
    return Links(by_name, by_path)


@dataclass(frozen=True, slots=True)
class Translation:
    """A body with its template code turned into Markdown."""

    body: str
    """The Markdown a reader sees."""
    placeholders: tuple[str, ...] = ()
    """Name of each tag that became a placeholder (or, paired, lost its wrapper)."""
    warnings: tuple[str, ...] = ()
    """Internal links that name no imported story."""


class _Translator:
    def __init__(self, fields: Mapping[str, Any], links: Links) -> None:
        self.fields = dict(fields)
        self.links = links
        self.placeholders: list[str] = []
        self.warnings: list[str] = []
        self.kept: list[str] = []

    def protect(self, text: str) -> str:
        self.kept.append(text)
        return _TOKEN.format(len(self.kept) - 1)

    def placeholder(self, name: str) -> str:
        self.placeholders.append(name)
        return self.protect(PLACEHOLDER.format(name=name))

    def value(self, name: str) -> str | None:
        """A front-matter value a template printed (`{{ image }}`, `{{ page.title }}`)."""
        found = self.fields.get(name, self.fields.get(name.lower()))
        return str(found) if isinstance(found, str | int | float) else None

    def story_url(self, reference: str, tag: str) -> str:
        url = self.links.story(reference)
        if url is None:
            self.warnings.append(
                f"{tag}: {reference!r} names no imported story; its link points at the old path"
            )
            return self.links.path("/" + undated(reference_key(reference)) + "/")
        return url


Templates = Literal["hugo", "liquid"] | None
"""The template language a generator runs Markdown through (Liquid covers Nunjucks)."""


def translate(body: str, fields: Mapping[str, Any], links: Links, templates: Templates
              ) -> Translation:
    """`body` with every tag of `templates` replaced by the Markdown it stood for, and
    links to old paths of imported stories pointed at their new URLs."""
    work = _Translator(fields, links)
    text = body.replace("\x00", "\ufffd")  # as CommonMark reads it; NUL marks kept text here
    if templates == "liquid":
        text = _PROTECTED.sub(lambda m: work.protect(m["raw"] or ""), text)
        text = _LIQUID_HIGHLIGHT.sub(lambda m: work.protect(_fence(m["code"], m["lang"])), text)
    elif templates == "hugo":
        text = _HUGO_HIGHLIGHT.sub(lambda m: work.protect(_fence(m["code"], m["lang"])), text)
    if templates is not None:
        text = TAG.sub(lambda m: _one(m, work) if _is(m, templates) else m.group(0), text)
    text = _BODY_LINK.sub(lambda m: m["lead"] + links.path(m["path"]), text)
    while _RESTORE.search(text):
        text = _RESTORE.sub(lambda m: work.kept[int(m[1])], text)
    return Translation(text, tuple(work.placeholders), tuple(work.warnings))


def _is(match: re.Match[str], templates: Templates) -> bool:
    return (templates == "hugo") == (match["hname"] is not None)


def _fence(code: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
    ticks = "`" * (longest + 1)
    return f"{ticks}{language}\n{code.strip(chr(10))}\n{ticks}"


def _one(match: re.Match[str], work: _Translator) -> str:
    if match["hname"]:
        return _hugo(match, work)
    if match["lname"]:
        return _liquid(match["lname"], match["largs"], work)
    if match.group(0).lstrip("{- ").startswith("site.baseurl"):
        return work.links.path(match["bpath"]) if match["bpath"] else ""
    return _output(match["expr"], work)


def arguments(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a tag: `"a" b key="c" key: 'd'`."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for found in _ARGUMENT.finditer(text):
        value = next((v for v in found.group("dq", "sq", "bq", "bare") if v is not None), "")
        value = value.replace('\\"', '"')
        if found["key"]:
            named[found["key"].lower()] = value
        else:
            positional.append(value)
    return positional, named


def _hugo(match: re.Match[str], work: _Translator) -> str:
    name = match["hname"]
    if match["hcomment"]:  # {{</* x */>}} is Hugo's way to print a shortcode as text
        return work.protect(match.group(0).replace("/*", "", 1).replace("*/", "", 1))
    if match["hclose"]:
        return ""
    positional, named = arguments(match["hargs"])
    handler = HUGO.get(name.lower())
    if handler is not None:
        return handler(positional, named, work)
    if _IMAGE_NAME.search(name):
        return _image(positional, named, work, name)
    closed = re.search(r"\{\{[<%]\s*/\s*" + re.escape(name) + r"\s*[>%]\}\}", match.string)
    if closed and closed.start() > match.end():
        work.placeholders.append(name)
        return ""
    return work.placeholder(name)


Handler = Callable[[list[str], dict[str, str], _Translator], str]


def _first(positional: list[str], named: Mapping[str, str], *keys: str) -> str:
    return next((named[k] for k in keys if named.get(k)), positional[0] if positional else "")


def _image(positional: list[str], named: dict[str, str], work: _Translator, name: str) -> str:
    src = _first(positional, named, *_IMAGE_SOURCE)
    if not src:
        return work.placeholder(name)
    alt = named.get("alt") or (positional[-1] if len(positional) > 1 else named.get("title", ""))
    caption = named.get("caption") or named.get("title", "")
    image = f"![{_label(alt)}]({_destination(work.links.path(src))})"
    if named.get("link"):
        image = f"[{image}]({_destination(work.links.path(named['link']))})"
    return work.protect(f"{image}\n\n*{_label(caption)}*" if caption and caption != alt else image)


def _label(text: str) -> str:
    """Text safe inside Markdown `[…]` and `*…*`."""
    return re.sub(r"([\[\]*_\\`<])", r"\\\1", " ".join(text.split()))


def _destination(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _link(text: str, url: str, work: _Translator) -> str:
    return work.protect(f"[{text}]({_destination(url)})")


def _ref(positional: list[str], named: dict[str, str], work: _Translator) -> str:
    reference = _first(positional, named, "path")
    return work.protect(work.story_url(reference, "ref")) if reference else work.placeholder("ref")


def _tweet(positional: list[str], named: dict[str, str], work: _Translator) -> str:
    tweet = _first(positional[-1:], named, "id")
    user = named.get("user") or (positional[0] if len(positional) > 1 else "")
    if not tweet.isdigit():
        return work.placeholder("tweet")
    if user:
        url = f"https://x.com/{quote(user)}/status/{tweet}"
        return _link(f"Post by @{_label(user)} on X", url, work)
    return _link("Post on X", f"https://x.com/i/status/{tweet}", work)


def _video(site: str, url: str) -> Handler:
    def handler(positional: list[str], named: dict[str, str], work: _Translator) -> str:
        ident = _first(positional, named, "id")
        if not re.fullmatch(r"[\w-]+", ident):
            return work.placeholder(site.lower())
        return _link(f"{site} video", url.format(id=ident), work)

    return handler


def _gist(positional: list[str], named: dict[str, str], work: _Translator) -> str:
    user, ident = named.get("user") or (positional[0:1] or [""])[0], named.get("id") or (
        positional[1:2] or [""])[0]
    if not (user and ident):
        return work.placeholder("gist")
    return _link(f"Gist by {_label(user)}", f"https://gist.github.com/{quote(user)}/{quote(ident)}",
                 work)


def _instagram(positional: list[str], named: dict[str, str], work: _Translator) -> str:
    ident = _first(positional, named, "id")
    if not re.fullmatch(r"[\w-]+", ident):
        return work.placeholder("instagram")
    return _link("Instagram post", f"https://www.instagram.com/p/{ident}/", work)


def _param(positional: list[str], named: dict[str, str], work: _Translator) -> str:
    name = _first(positional, named, "name")
    value = work.value(name.split(".")[-1]) if name else None
    return work.protect(value) if value is not None else work.placeholder(f"param {name}".strip())


HUGO: Mapping[str, Handler] = {
    "figure": lambda p, n, w: _image(p, n, w, "figure"),
    "ref": _ref,
    "relref": _ref,
    "tweet": _tweet,
    "x": _tweet,
    "youtube": _video("YouTube", "https://www.youtube.com/watch?v={id}"),
    "vimeo": _video("Vimeo", "https://vimeo.com/{id}"),
    "gist": _gist,
    "instagram": _instagram,
    "param": _param,
}
"""Hugo's built-in shortcodes (highlight is a pair, read before these)."""


def _liquid(name: str, text: str, work: _Translator) -> str:
    positional, named = arguments(text)
    assigned = _ASSIGNMENT.match(text)
    if name in ("set", "assign") and assigned:
        work.fields[assigned["name"]] = next(v for v in assigned.group("dq", "sq") if v is not None)
        return ""
    if name in ("link", "post_url") and positional:
        return work.protect(work.story_url(positional[0], name))
    if name == "include":
        included = positional[0] if positional else ""
        if any(named.get(k) for k in _IMAGE_SOURCE):
            return _image([], named, work, f"include {included}")
        return work.placeholder(f"include {included}".strip())
    if _IMAGE_NAME.search(name):  # Eleventy's and Jekyll's image tags name a file of the site
        return _image([_rooted(p) for p in positional[:1]] + positional[1:], named, work, name)
    if _CONTROL_END.match(name):
        return ""
    return work.placeholder(name)


def _rooted(path: str) -> str:
    """`/assets/a.jpg` from `assets/a.jpg`; URLs and `./a.jpg` stay."""
    return path if re.match(r"^(?:[a-z][\w+.-]*:|/|\.)", path, re.I) else "/" + path


def _output(expression: str, work: _Translator) -> str:
    """`{{ "/path/" | url }}`, `{{ page.image }}`; any other filter is a placeholder."""
    subject, *filters = [part.strip() for part in expression.split("|")]
    names = [f.split(":")[0].strip() for f in filters]
    literal = _STRING.match(subject)
    variable = _VARIABLE.match(subject)
    value = (
        (literal["dq"] if literal["dq"] is not None else literal["sq"]) if literal
        else work.value(variable["name"]) if variable else None
    )
    if value is not None and names[:1] == ["embed"] and value.startswith(("https://", "http://")):
        return _embedded(value, work)
    unknown = [name for name in names if name not in ("url", "relative_url", "absolute_url")]
    if value is None or unknown:
        return work.placeholder(unknown[0] if unknown else subject)
    return work.protect(work.links.path(value) if names and value.startswith("/") else value)


_PLAYERS = (
    (re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/(?P<id>[\w-]+)"),
     "YouTube video", "https://www.youtube.com/watch?v={id}"),
    (re.compile(r"^https?://player\.vimeo\.com/video/(?P<id>\d+)"),
     "Vimeo video", "https://vimeo.com/{id}"),
)


def _embedded(url: str, work: _Translator) -> str:
    """A link to what an embedded player showed: the video's page, else the player's."""
    for pattern, label, page in _PLAYERS:
        found = pattern.match(url)
        if found:
            return _link(label, page.format(id=found["id"]), work)
    return _link(_label(url), url, work)
