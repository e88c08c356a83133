"""Past the per-file limits, /sitemap.xml becomes an index of numbered sitemaps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from generator.site import sitemaps

from conftest import article, build

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_large_sitemaps_are_split_under_an_index(
    site_factory: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_factory({f"s{i}.md": article(title=f"Story {i}") for i in range(12)})
    assert build(site).code == 0
    whole = etree.parse(site / "output" / "sitemap.xml").xpath("//s:loc/text()", namespaces=NS)
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 10)
    assert build(site, "--clean").code == 0  # the inputs did not change, the code did
    index = etree.parse(site / "output" / "sitemap.xml")
    assert index.getroot().tag == f"{{{NS['s']}}}sitemapindex"
    parts = index.xpath("//s:loc/text()", namespaces=NS)
    assert parts == [
        f"https://gazette.example.org/sitemap-{n}.xml"
        for n in range(1, (len(whole) + 9) // 10 + 1)
    ]
    split = [
        loc
        for part in parts
        for loc in etree.parse(site / "output" / part.rsplit("/", 1)[1])
        .xpath("//s:loc/text()", namespaces=NS)
    ]
    assert split == whole
