"""Embeds without trackers: a fenced `embed` block in a story becomes a click-to-load facade.

    ```embed
    https://www.youtube.com/watch?v=dQw4w9WgXcQ
    title: The mayor's interview
    ```

The page holds a neutral box (the provider's name, the title, a button) and a
plain link; nothing is fetched from the provider until the reader presses the
button and the theme's embeds.js swaps in the player. Feeds get the link alone
(`feed_form`). Only https URLs of the shapes each provider publishes are taken,
and generic iframes only from the hosts `embed_hosts` in folio.toml allows.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html import escape
from urllib.parse import SplitResult, parse_qs, quote, urlsplit

EMBED_INFO = "embed"
"""The info string of a fenced block that is an embed."""


class EmbedError(ValueError):
    """An embed block Folio cannot use; `line` counts the block's lines from 0 (-1: its fence)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class Embed:
    """One embed block, validated."""

    provider: str
    """Name shown in the box and on the button, e.g. YouTube."""
    kind: str
    """What the player shows, which sets its size: video, post, document, chart or frame."""
    url: str
    """The address as written: the plain link for feeds and readers without JavaScript."""
    frame: str
    """The address loaded into the iframe once the reader asks for it."""
    title: str = ""
    """What the embed shows, in the author's words."""


@dataclass(frozen=True, slots=True)
class _Provider:
    name: str
    kind: str
    hosts: frozenset[str]
    expected: str
    """The URL shapes taken, for error messages."""
    frame: Callable[[SplitResult], str | None]
    """The iframe address for a URL of one of its hosts; None when the shape is not known."""


def _youtube(url: SplitResult) -> str | None:
    if url.hostname == "youtu.be":
        video = url.path[1:]
    elif url.path == "/watch":
        video = _query(url, "v")
    else:
        match = re.fullmatch(r"/(?:shorts|embed|live)/([^/]+)/?", url.path)
        video = match.group(1) if match else ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{11}", video):
        return None
    start = _seconds(_query(url, "t") or _query(url, "start"))
    return (f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1"
            + (f"&start={start}" if start else ""))


def _seconds(text: str) -> int:
    """`90`, `90s` or `1h2m30s` in seconds; 0 for anything else."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text)
    if not match:
        return 0
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _vimeo(url: SplitResult) -> str | None:
    pattern = (r"/video/(?P<id>\d+)/?" if url.hostname == "player.vimeo.com"
               else r"/(?:channels/[\w-]+/)?(?P<id>\d+)(?:/(?P<secret>[0-9a-f]+))?/?")
    match = re.fullmatch(pattern, url.path)
    if not match:
        return None
    secret = match.groupdict().get("secret") or _query(url, "h")
    if secret and not re.fullmatch(r"[0-9a-f]+", secret):
        return None
    return (f"https://player.vimeo.com/video/{match['id']}?dnt=1&autoplay=1"
            + (f"&h={secret}" if secret else ""))


def _x(url: SplitResult) -> str | None:
    match = re.fullmatch(r"/(?:i/web|\w{1,15})/status(?:es)?/(\d{1,20})(?:/(?:photo|video)/\d)?/?",
                         url.path)
    if not match:
        return None
    return f"https://platform.twitter.com/embed/Tweet.html?id={match.group(1)}&dnt=true"


def _instagram(url: SplitResult) -> str | None:
    match = re.fullmatch(r"/(?:[\w.]+/)?(?:p|reel|tv)/([\w-]{5,40})/?", url.path)
    if not match:
        return None
    return f"https://www.instagram.com/p/{match.group(1)}/embed/"


# (path, a query key it needs, plugin): Facebook's own embed plugins take the post's URL.
_FACEBOOK_SHAPES = (
    (re.compile(r"/[\w.-]+/videos/(?:[\w.-]+/)?\d+/?|/reel/\d+/?"), "", "video"),
    (re.compile(r"/watch/?"), "v", "video"),
    (re.compile(r"/[\w.-]+/(?:posts|photos)/[\w.:/-]+"), "", "post"),
    (re.compile(r"/(?:permalink|story)\.php"), "story_fbid", "post"),
    (re.compile(r"/photo(?:\.php)?/?"), "fbid", "post"),
)


def _facebook(url: SplitResult) -> str | None:
    plugin = next((plugin for path, needed, plugin in _FACEBOOK_SHAPES
                   if path.fullmatch(url.path) and (not needed or _query(url, needed))), None)
    if plugin is None:
        return None
    query = f"?{url.query}" if url.query else ""
    href = quote(f"https://www.facebook.com{url.path}{query}", safe="")
    return f"https://www.facebook.com/plugins/{plugin}.php?href={href}&show_text=true"


def _documentcloud(url: SplitResult) -> str | None:
    match = re.fullmatch(r"/documents/(\d+(?:-[\w-]+)?)(?:\.html)?/?", url.path)
    if not match:
        return None
    return f"https://embed.documentcloud.org/documents/{match.group(1)}/?embed=1&responsive=1"


def _datawrapper(url: SplitResult) -> str | None:
    pattern = (r"/_/(?P<id>[A-Za-z0-9]{5})/?" if url.hostname == "www.datawrapper.de"
               else r"/(?P<id>[A-Za-z0-9]{5})(?:/(?P<version>\d{1,4}))?/?")
    match = re.fullmatch(pattern, url.path)
    if not match:
        return None
    version = match.groupdict().get("version")
    return f"https://datawrapper.dwcdn.net/{match['id']}/" + (f"{version}/" if version else "")


def _flourish(url: SplitResult) -> str | None:
    match = re.fullmatch(r"/(visualisation|story)/(\d+)(?:/embed)?/?", url.path)
    if not match:
        return None
    return f"https://flo.uri.sh/{match.group(1)}/{match.group(2)}/embed"


def _query(url: SplitResult, name: str) -> str:
    values = parse_qs(url.query).get(name)
    return values[0] if values else ""


PROVIDERS = (
    _Provider("YouTube", "video",
              frozenset({"www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be",
                         "www.youtube-nocookie.com"}),
              "https://www.youtube.com/watch?v=ID, https://youtu.be/ID or "
              "https://www.youtube.com/shorts/ID, ID being 11 letters, digits, - or _",
              _youtube),
    _Provider("Vimeo", "video", frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"}),
              "https://vimeo.com/NUMBER or https://player.vimeo.com/video/NUMBER", _vimeo),
    _Provider("X", "post",
              frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com",
                         "mobile.twitter.com"}),
              "https://x.com/USER/status/NUMBER", _x),
    _Provider("Instagram", "post", frozenset({"www.instagram.com", "instagram.com"}),
              "https://www.instagram.com/p/CODE/ or https://www.instagram.com/reel/CODE/",
              _instagram),
    _Provider("Facebook", "post",
              frozenset({"www.facebook.com", "facebook.com", "m.facebook.com"}),
              "https://www.facebook.com/PAGE/posts/ID, /PAGE/videos/ID, "
              "/permalink.php?story_fbid=... or /watch?v=NUMBER", _facebook),
    _Provider("DocumentCloud", "document",
              frozenset({"www.documentcloud.org", "documentcloud.org",
                         "embed.documentcloud.org", "beta.documentcloud.org"}),
              "https://www.documentcloud.org/documents/NUMBER-NAME", _documentcloud),
    _Provider("Datawrapper", "chart",
              frozenset({"datawrapper.dwcdn.net", "www.datawrapper.de"}),
              "https://datawrapper.dwcdn.net/ID/ or https://www.datawrapper.de/_/ID/, "
              "ID being 5 letters or digits", _datawrapper),
    _Provider("Flourish", "chart", frozenset({"public.flourish.studio", "flo.uri.sh"}),
              "https://public.flourish.studio/visualisation/NUMBER/", _flourish),
)
_BY_HOST = {host: provider for provider in PROVIDERS for host in provider.hosts}
_UNSAFE_CHARACTERS = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")


def parse_embed(block: str, allowed_hosts: Collection[str]) -> Embed:
    """The embed a fenced `embed` block describes: its URL on the first line, then
    an optional `title:` line. Raises EmbedError saying what was expected."""
    lines = [(number, line.strip()) for number, line in enumerate(block.split("\n"))
             if line.strip()]
    if not lines:
        raise EmbedError("embed block is empty; expected an https:// URL on its first line", -1)
    (at, address), *rest = lines
    title = ""
    for number, line in rest:
        key, colon, value = line.partition(":")
        if key.strip() != "title" or not colon:
            raise EmbedError(f"embed block line {line!r} is not understood; after the "
                             "URL an embed takes only a 'title: ...' line", number)
        title = value.strip()
    try:
        return _embed(address, title, allowed_hosts)
    except EmbedError as exc:
        raise EmbedError(str(exc), at) from None


def _embed(address: str, title: str, allowed_hosts: Collection[str]) -> Embed:
    url = _https_url(address)
    host = url.hostname or ""
    provider = _BY_HOST.get(host)
    if provider is not None:
        frame = provider.frame(url)
        if frame is None:
            raise EmbedError(f"{address!r} is not a {provider.name} address Folio can embed; "
                             f"expected {provider.expected}")
        return Embed(provider.name, provider.kind, address, frame, title)
    if host in allowed_hosts:
        return Embed(host, "frame", address, address, title)
    known = ", ".join(dict.fromkeys(provider.name for provider in PROVIDERS))
    raise EmbedError(f"{host!r} is not a host Folio embeds; expected a URL of {known}, "
                     "or a host listed in embed_hosts in folio.toml")


def _https_url(address: str) -> SplitResult:
    if _UNSAFE_CHARACTERS.search(address):
        raise EmbedError(f"{address!r} is not a URL; expected one https:// address, "
                         "with no spaces or quotes")
    try:
        url = urlsplit(address)
        url.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise EmbedError(f"{address!r} is not a valid URL ({exc})") from None
    if url.scheme.lower() != "https" or not url.hostname:
        raise EmbedError(f"{address!r} is not an https:// URL; embeds load only over https")
    if url.username is not None or url.port is not None:
        raise EmbedError(f"{address!r} names a user or port; expected a plain https:// URL")
    return url


def N_(message: str) -> str:
    """`message`, marked for `make catalogs`: it is looked up where it is shown."""
    return message


_ACTIONS = {"video": N_("Play video"), "post": N_("Show post"),
            "document": N_("Show document"), "chart": N_("Show chart"),
            "frame": N_("Show content")}
_LINKS = {"video": N_("Watch on %(provider)s"), "post": N_("View on %(provider)s"),
          "document": N_("Read on %(provider)s"), "chart": N_("View on %(provider)s"),
          "frame": N_("Open on %(provider)s")}


def facade_html(embed: Embed, words: gettext.NullTranslations) -> str:
    """The box a reader sees until they ask for the player, and the plain link, in the
    site's language (`words`; a catalog's words are escaped like any input)."""
    provider, title = escape(embed.provider), escape(embed.title)
    action = escape(words.gettext(_ACTIONS[embed.kind]))
    label = escape(words.gettext("%(action)s from %(provider)s")) % {
        "action": action, "provider": provider} + (f": {title}" if title else "")
    note = escape(words.gettext("Loading it connects to %(provider)s.")) % {
        "provider": provider}
    link = escape(words.gettext(_LINKS[embed.kind])) % {"provider": provider}
    return (
        f'<figure class="embed embed-{embed.kind}" data-embed-src="{escape(embed.frame)}"'
        f' data-embed-title="{escape(embed.title or f"{embed.provider} {embed.kind}")}">\n'
        f'<div class="embed-box">\n'
        f'<p class="embed-provider">{provider}</p>\n'
        + (f'<p class="embed-title">{title}</p>\n' if title else "")
        + f'<button type="button" class="embed-load" aria-label="{label}" hidden'
        f" data-pagefind-ignore>{action}</button>\n"
        f'<p class="embed-note" data-pagefind-ignore>{note}</p>\n'
        f"</div>\n"
        f'<figcaption><a class="embed-link" href="{escape(embed.url)}">'
        f"{link}" + (f": {title}" if title else "") + "</a>"
        "</figcaption>\n</figure>\n"
    )


_FACADE = re.compile(r'<figure class="embed embed-\w+" data-embed-src="[^"]*"[^>]*>'
                     r'.*?(<a class="embed-link" href="[^"]*">[^<]*</a>)</figcaption>\n</figure>',
                     re.DOTALL)


def feed_form(body_html: str) -> str:
    """`body_html` with every facade replaced by its plain link, for feeds."""
    if "data-embed-src" not in body_html:
        return body_html
    return _FACADE.sub(r"<p>\1</p>", body_html)
