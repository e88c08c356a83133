"""Reading a built site the way a crawler would: parse every page, follow every link."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from generator.site.urls import file_for


@dataclass
class Site:
    root: Path
    base_url: str = "https://gazette.example.org/"

    def soup(self, url: str) -> BeautifulSoup:
        return BeautifulSoup(self.file(url).read_text(encoding="utf-8"), "html.parser")

    def file(self, url: str) -> Path:
        return self.root / file_for(urlsplit(url).path).as_posix()

    def exists(self, url: str) -> bool:
        return self.file(url).is_file()

    def pages(self) -> Iterator[str]:
        """Site path of every HTML page written."""
        for path in sorted(self.root.rglob("*.html")):
            relative = path.relative_to(self.root).as_posix()
            yield "/" + relative.removesuffix("index.html")

    def internal_links(self, url: str) -> Iterator[str]:
        """Every href/src/srcset URL on the page that points into this site, as a site path."""
        soup = self.soup(url)
        targets = [
            (tag, tag.get("href") or tag.get("src"))
            for tag in soup.find_all(href=True) + soup.find_all(src=True)
        ]
        targets += [
            (tag, entry.split()[0])
            for tag in soup.find_all(srcset=True) for entry in tag["srcset"].split(",")
        ]
        for tag, target in targets:
            if tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith("#"):
                continue
            yield parts.path if parts.path.startswith("/") else _join(url, parts.path)

    def list_articles(self, first_url: str) -> list[str]:
        """Article URLs listed by a paginated list page, following rel=next to the end.

        Under stable pagination the page after the front page may start with the front
        page's last stories (it holds a fixed group counted from the oldest): they are
        counted once."""
        found, url, seen = [], first_url, set()
        while url and url not in seen:
            seen.add(url)
            soup = self.soup(url)
            listed = [a["href"] for a in soup.select(".cards .card-title a")]
            found += listed[_overlap(found, listed):] if len(seen) == 2 else listed
            nxt = soup.select_one(".pagination a[rel=next]")
            url = nxt["href"] if nxt else None
        return found


def _overlap(front: list[str], page: list[str]) -> int:
    """How many of the last stories of `front` `page` starts with."""
    return max((n for n in range(1, min(len(front), len(page)) + 1) if front[-n:] == page[:n]),
               default=0)


def _join(base: str, relative: str) -> str:
    folder = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
    return folder + relative
