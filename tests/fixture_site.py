"""A deterministic news archive of a couple of hundred articles, for walking a whole built site.

`write_fixture_site(root)` writes `folio.toml`, Markdown articles and tiny real images,
and returns what it wrote (front matter as written, plus `file` and the final `slug`)
so tests can work out every expected page on their own.
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.site.slugs import slugify

from conftest import article, make_site

SEED = 20151918
ZONE = ZoneInfo("America/New_York")
CONFIG = """\
title = "Fixture Gazette"
base_url = "https://gazette.example.org/"
timezone = "America/New_York"
per_page = 7
default_section = "News"
"""

# Each inner list is one tag; its spellings must fold into a single tag page.
TAGS = [
    ["Syria", "syria", "SYRIA"], ["Zürich", "Zurich", "zürich"],
    ["Bashar al-Assad", "Bashar Al Assad"], ["São Paulo", "Sao Paulo"],
    ["Québec", "Quebec"], ["Côte d'Ivoire", "Cote d'Ivoire"], ["İstanbul", "Istanbul"],
    ["Москва", "москва"],
    *([name] for name in (
        "Russia", "United States", "Islamic State", "Climate", "Elections", "Health",
        "Ukraine", "Brexit", "Refugees", "Oil", "Football", "Music", "Film", "Courts",
        "Education", "Housing", "Transport", "Technology", "Privacy", "Labour", "Trade",
        "China", "India", "Brazil", "Mexico", "Nigeria", "Wildfires", "Floods",
        "Vaccines", "Police", "Protests", "Media", "Space", "Science",
    )),
]
AUTHORS = [
    ["Jane Reporter"], ["José Álvarez", "Jose Alvarez"], ["Amira Haddad"], ["Reuters"],
    ["Associated Press"], ["Li Wei"], ["Olusegun Adeyemi"], ["Kate O'Brien"],
]
# None: the article names no section and gets default_section ("News").
SECTIONS = ["News", "news", "World", "world", "Culture", "Opinion", None]
OFFSETS = ["-04:00", "-05:00", "+00:00", "Z", "+01:00", "+05:30", "+09:00", "-07:00"]
WORDS = [
    "council", "budget", "river", "bridge", "strike", "court", "ruling", "harbour", "vote",
    "market", "drought", "festival", "museum", "mayor", "senate", "border", "ferry", "clinic",
    "school", "mine", "pipeline", "stadium", "archive", "satellite", "census", "railway",
]
VERBS = ["Weighs", "Rejects", "Backs", "Delays", "Opens", "Closes", "Probes", "Revives"]


def write_fixture_site(root: Path, count: int = 200) -> list[dict[str, Any]]:
    """Write the site under `root`; return each article's metadata as written."""
    rng = random.Random(SEED)
    images = _images()
    metas = [_meta(rng, i) for i in range(count)]
    _spread_dates(rng, metas)
    _decorate(rng, metas, sorted(images))
    files: dict[str, str | bytes] = {f"images/{name}": data for name, data in images.items()}
    files.update((m["file"], _source(m)) for m in metas)
    make_site(root, files, CONFIG)
    return metas


def _meta(rng: random.Random, i: int) -> dict[str, Any]:
    first, second = rng.sample(WORDS, 2)
    title = f"{first.title()} {rng.choice(VERBS)} {second.title()} Plan, Report {i + 1}"
    authors = rng.sample(AUTHORS, 2 if i % 4 == 0 else 1)
    tags = rng.sample(TAGS, rng.choice([0, 1, 2, 3, 3, 4, 5]))
    return {
        "title": title,
        "slug": slugify(title),
        "byline": [rng.choice(spellings) for spellings in authors],
        "tags": [rng.choice(spellings) for spellings in tags],
        "section": rng.choice(SECTIONS),
    }


def _spread_dates(rng: random.Random, metas: list[dict[str, Any]]) -> None:
    """Dates over 2013-2024 in every written form; every fifth shares the previous one's day."""
    start, span = datetime(2013, 1, 1, 8), (datetime(2024, 12, 31) - datetime(2013, 1, 1)).days
    used: set[float] = set()
    for i, meta in enumerate(metas):
        if i % 5 == 4:
            local = metas[i - 1]["_local"].replace(hour=rng.randrange(6, 23))
            style = "naive"
        else:
            local = start + timedelta(days=rng.randrange(span + 1), hours=rng.randrange(15))
            style = rng.choice(["naive", "day", "offset", "offset"])
        local = local.replace(minute=rng.randrange(60))
        stamp = _written(local, style, OFFSETS[i % len(OFFSETS)])
        while _timestamp(stamp) in used:  # no two articles at the same instant
            local += timedelta(minutes=1)
            stamp = _written(local, "naive" if style == "day" else style, OFFSETS[0])
        used.add(_timestamp(stamp))
        meta["_local"], meta["date"] = local, stamp


def _written(local: datetime, style: str, offset: str) -> str:
    """'2016-03-04', '2016-03-04T10:07:00' or '2016-03-04T10:07:00+05:30'."""
    if style == "day":
        return local.date().isoformat()
    return local.isoformat() + (offset if style == "offset" else "")


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


def _timestamp(text: str) -> float:
    return _aware(text).timestamp()


def _decorate(rng: random.Random, metas: list[dict[str, Any]], images: list[str]) -> None:
    """Files, photos, related links and the one-off fields, spread over the articles."""
    for i, meta in enumerate(metas):
        del meta["_local"]
        meta["file"] = _file_name(i, meta)
        if i % 4 == 1:
            meta["photo"] = _photo(rng, i, images)
        if i % 6 == 2:
            meta["related"] = _related(rng, metas, i)
    metas[7]["tags"] = ["Syria", "syria", "Zürich"]
    metas[11]["byline"] = "Amira Haddad"
    metas[13]["aliases"] = [_old_url(metas[13])]
    metas[17]["updated"] = _later(metas[17]["date"])
    metas[17]["corrections"] = [
        {"date": metas[17]["updated"][:10], "text": "An earlier version misnamed the mayor."},
    ]
    metas[19]["_more"] = (
        '![The court in session](/images/court.png "The hearing | Court artist")\n\n'
        "```embed\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\ntitle: The hearing, in full\n```\n"
    )


def _file_name(i: int, meta: dict[str, Any]) -> str:
    """Three ways to name a story: slug, date-prefixed slug, or any name with `slug:`."""
    year = meta["date"][:4]
    if i % 3 == 0:
        return f"{year}/{meta['slug']}.md"
    if i % 3 == 1:
        return f"{year}/{meta['date'][:10]}-{meta['slug']}.md"
    meta["slug_field"] = True
    return f"stories/story-{i:03d}.md"


def _photo(rng: random.Random, i: int, images: list[str]) -> dict[str, str]:
    photo = {"alt": f"Scene {i}", "caption": f"The scene of story {i}", "credit": "Staff"}
    if i % 20 == 5:
        return {**photo, "src": f"https://images.example.net/{i}.jpg"}
    if i % 20 == 9:
        return {"credit": "Wire photo"}
    return {**photo, "src": f"images/{rng.choice(images)}"}


def _related(rng: random.Random, metas: list[dict[str, Any]], i: int) -> list[Any]:
    others = rng.sample([m["slug"] for j, m in enumerate(metas) if j != i], 2)
    links: list[Any] = [others[0], {"slug": others[1]}]
    if i % 12 == 2:
        links.append({"title": f"Background to story {i}", "url": f"https://example.com/bg/{i}"})
    return links


def _old_url(meta: dict[str, Any]) -> str:
    """A legacy address under the story's month: /YYYY/MM/old-<slug>.html."""
    return f"/{meta['date'][:4]}/{meta['date'][5:7]}/old-{meta['slug']}.html"


def _later(stamp: str) -> str:
    return (_aware(stamp) + timedelta(days=1, hours=3)).isoformat()


def _source(meta: dict[str, Any]) -> str:
    fields = {k: v for k, v in meta.items() if k not in ("file", "slug", "slug_field", "_more")}
    if meta.get("slug_field"):
        fields["slug"] = meta["slug"]
    return article(_body(meta), **fields)


def _body(meta: dict[str, Any]) -> str:
    tags = "".join(f" [{t}](/tags/{slugify(t)}/)" for t in meta["tags"][:2])
    return (
        f"{meta['title']} was reported today.[^1] See also:{tags}.\n\n"
        f"![Masthead](/images/{_GIF_NAME})\n\n"
        f"{meta.get('_more', '')}"
        "[^1]: According to officials.\n"
    )


_GIF_NAME = "masthead.gif"


def gif(shade: int) -> bytes:
    """A 1x1 GIF whose single colour is (shade, shade, shade)."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes([shade] * 3) + b"\xff\xff\xff"
        b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def _png(shade: int) -> bytes:
    """A 1x1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(bytes([0, shade]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b"")


def _images() -> dict[str, bytes]:
    return {
        _GIF_NAME: gif(0),
        "harbour.gif": gif(40),
        "market day.gif": gif(80),
        "zürich-see.png": _png(120),
        "court.png": _png(160),
        "Floods_2019.PNG": _png(200),
    }
