"""Bad input: every mistake is reported clearly, and a failed build leaves output/ untouched.

Each case builds a good site first, then breaks it and rebuilds: the second build must
exit 1, name the file, the field and the line where it can, and leave the first build's
output/ byte for byte (and write nothing else anywhere beside the site).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import Result, article, build, make_site, photo_bytes, tree

# article() writes: line 1 "---", 2 title, 3-4 byline, 5 date, 6 the first extra field.
DATE_LINE, EXTRA_LINE = 5, 6
DATE_HINT = "expected an ISO 8601 date"
BAD_PATH = "expected a path under content/ or an http(s) URL"
BAD_SEGMENT = "contains an empty, '.' or '..' segment"
PAYLOAD = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'

GOOD = {
    "story.md": article(slug="story", tags=["Syria"]),
    "other.md": article("Other body.", title="Another headline", slug="other",
                        date="2020-05-02T10:00:00-04:00", tags=["Syria"]),
}


@dataclass(frozen=True)
class Expect:
    """One error line: `path[:line]: [field: ]...fragment...`."""

    path: str
    field: str | None
    fragment: str
    line: int | None = None

    def assert_in(self, err: str) -> None:
        where = re.escape(self.path) + (f":{self.line}" if self.line else r"(?::\d+)?")
        what = f"{re.escape(self.field)}: " if self.field else ""
        pattern = rf"^\s*{where}: {what}.*{re.escape(self.fragment)}"
        assert re.search(pattern, err, re.MULTILINE), f"no line like {pattern!r} in:\n{err}"


def story(field: str | None, fragment: str, line: int | None = None) -> Expect:
    return Expect("content/story.md", field, fragment, line)


def case(name: str, files: dict[str, str | bytes], *expected: Expect) -> object:
    return pytest.param(files, expected, id=name)


def break_site(site_factory: Callable[..., Path], bad: dict[str, str | bytes]) -> Result:
    """Build GOOD, write `bad` over its content, rebuild; check the failure changed nothing."""
    site = site_factory(GOOD)
    first = build(site)
    assert first.code == 0, first.err
    output, around = tree(site / "output"), set(tree(site.parent))
    make_site(site, bad)
    result = build(site)
    assert result.code == 1, f"exit {result.code}, stderr:\n{result.err}"
    assert tree(site / "output") == output, "a failed build changed output/"
    added = {f"{site.name}/content/{name}" for name in bad}
    assert set(tree(site.parent)) == around | added, "a failed build wrote files"
    return result


CASES = [
    case("broken-yaml", {"story.md": "---\ntitle: A headline\n  byline: Jane\n---\nBody.\n"},
         story(None, "front matter is not valid YAML: mapping values are not allowed", 3)),
    case("unclosed-front-matter", {"story.md": "---\ntitle: A headline\nbyline: Jane\n"},
         story(None, "never closed", 1)),
    case("front-matter-not-a-mapping", {"story.md": "---\n- a\n- b\n---\nBody.\n"},
         story(None, "front matter must be 'key: value' lines, got a list", 1)),
    case("missing-title", {"story.md": article(title=None)}, story("title", "is required")),
    case("missing-byline", {"story.md": article(byline=None)}, story("byline", "is required")),
    case("missing-date", {"story.md": article(date=None)},
         story("date", f"is required; {DATE_HINT}")),
    case("unparseable-date", {"story.md": article(date="yesterday")},
         story("date", f"{DATE_HINT} such as 2015-09-18", DATE_LINE),
         story("date", "got 'yesterday'", DATE_LINE)),
    case("impossible-date", {"story.md": article(date="2015-02-30")},
         story("date", "got '2015-02-30' (day is out of range for month)", DATE_LINE)),
    case("date-out-of-range", {"story.md": article(date="0001-01-01T00:00:00+05:00")},
         story("date", "'0001-01-01T00:00:00+05:00'", DATE_LINE)),
    case("updated-out-of-range", {"story.md": article(updated="9999-12-31T23:00:00-05:00")},
         story("updated", "'9999-12-31T23:00:00-05:00'", EXTRA_LINE)),
    case("bad-correction-date", {"story.md": article(corrections=[{"date": "x", "text": "t"}])},
         story("corrections[0].date", f"{DATE_HINT} such as", EXTRA_LINE)),
    case("unknown-related-slug", {"story.md": article(related=[{"slug": "no-such-story"}])},
         story("related[0].slug", "'no-such-story' matches no article")),
    case("duplicate-slug", {"copy.md": article(slug="story")},
         story("slug", "'story' is already used by content/copy.md")),
    case("tags-mapping", {"story.md": article(tags={"Syria": 1})},
         story("tags", "expected a list of names", EXTRA_LINE)),
    case("tags-nested-list", {"story.md": article(tags=[["Syria", "Russia"]])},
         story("tags[0]", "expected text, got a list", EXTRA_LINE)),
    case("tags-null-item", {"story.md": article(tags=["Syria", None])},
         story("tags[1]", "expected text, got nothing", EXTRA_LINE)),
    case("latin-1", {"story.md": article(title="Café").encode("latin-1")},
         story(None, "is not UTF-8 text (byte 0xe9)", 2)),
    case("empty-file", {"story.md": ""}, story(None, "file is empty", 1)),
    case("no-front-matter", {"story.md": "Just a body.\n"}, story(None, "no front matter", 1)),
    case("slug-dot-dot", {"story.md": article(slug="../../escape")},
         story("slug", "inner hyphens only, at most 120 bytes, got '../../escape'", EXTRA_LINE)),
    case("slug-empty", {"story.md": article(slug="")},
         story("slug", "expected letters, digits and inner hyphens")),
    case("photo-src-dot-dot", {"story.md": article(photo={"src": "../outside.jpg"})},
         story("photo.src", f"{BAD_PATH}, got '../outside.jpg'", EXTRA_LINE)),
    case("photo-src-absolute", {"story.md": article(photo={"src": "/etc/passwd"})},
         story("photo.src", f"{BAD_PATH}, got '/etc/passwd'", EXTRA_LINE)),
    case("related-javascript-url",
         {"story.md": article(related=[{"title": "Click", "url": "javascript:alert(1)"}])},
         story("related[0].url", "http(s) address, got 'javascript:alert(1)'", EXTRA_LINE)),
    case("duplicate-alias", {"story.md": article(slug="story", aliases=["/old/"]),
                             "other.md": article(slug="other", aliases=["/old/"])},
         story("aliases", "'/old/' is already an alias of content/other.md")),
    case("alias-dot-dot", {"story.md": article(aliases=["/2015/../../etc/"])},
         story("aliases[0]", BAD_SEGMENT, EXTRA_LINE)),
    case("alias-encoded-dot-dot", {"story.md": article(aliases=["/%2e%2e/%2e%2e/etc/"])},
         story("aliases[0]", BAD_SEGMENT, EXTRA_LINE)),
    case("alias-of-generated-page", {"story.md": article(aliases=["/tags/"])},
         story("aliases", "/tags/")),
]


@pytest.mark.parametrize(("bad", "expected"), CASES)
def test_bad_input_is_reported_and_output_survives(
    site_factory: Callable[..., Path], bad: dict[str, str | bytes], expected: tuple[Expect, ...]
) -> None:
    result = break_site(site_factory, bad)
    assert "Traceback" not in result.err
    for expect in expected:
        expect.assert_in(result.err)


def test_every_bad_file_is_reported_in_one_run(site_factory: Callable[..., Path]) -> None:
    bad = {
        "a.md": article(title=None),
        "b.md": article(date="yesterday"),
        "c.md": "---\ntitle: [unclosed\n---\nBody.\n",
    }
    result = break_site(site_factory, bad)
    assert "3 errors found" in result.err
    Expect("content/a.md", "title", "is required").assert_in(result.err)
    Expect("content/b.md", "date", "got 'yesterday'", DATE_LINE).assert_in(result.err)
    Expect("content/c.md", None, "front matter is not valid YAML").assert_in(result.err)


def test_markup_in_front_matter_is_escaped(site_factory: Callable[..., Path]) -> None:
    site = site_factory({
        "images/pic.jpg": photo_bytes(40, 30),
        "story.md": article(
            title=f"Title {PAYLOAD}", dek=f"Dek {PAYLOAD}", byline=[f"Byline {PAYLOAD}"],
            tags=[f"Tag {PAYLOAD}"], section=f"Section {PAYLOAD}",
            publication=f"Publication {PAYLOAD}", slug="story",
            photo={"src": "images/pic.jpg", "alt": f"Alt {PAYLOAD}",
                   "caption": f"Caption {PAYLOAD}", "credit": f"Credit {PAYLOAD}"},
            related=[{"title": f"Link {PAYLOAD}", "url": "https://example.org/"}],
            corrections=[{"date": "2020-05-02", "text": f"Correction {PAYLOAD}"}],
        ),
        "other.md": GOOD["other.md"],
    })
    result = build(site)
    assert result.code == 0, result.err
    pages = sorted((site / "output").rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        assert_inert(page)
    headline = BeautifulSoup((site / "output/2020/05/01/story/index.html").read_bytes(),
                             "html.parser").select_one("h1")
    assert headline is not None
    assert headline.get_text(strip=True) == f"Title {PAYLOAD}"


def assert_inert(page: Path) -> None:
    """No injected script or event-handler attribute survived into `page`."""
    data = page.read_bytes()
    assert b"<script>alert" not in data, page
    soup = BeautifulSoup(data, "html.parser")
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, f"{page}: <{element.name}> has {handlers}"
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            # Data, not code: it must stay one JSON value with no markup in its text.
            assert "<" not in script.get_text(), f"{page}: {script}"
            json.loads(script.get_text())
        else:
            assert "alert" not in script.get_text(), f"{page}: {script}"


def test_a_story_gone_between_the_walk_and_its_reading_is_reported_not_a_crash(
    tmp_path: Path,
) -> None:
    """Another program (an editor's save, a git checkout) may delete a file while a
    build runs: the build names it, as it names any file it cannot read."""
    from generator.cache import Cache, FileFacts
    from generator.config import load_config
    from generator.content import load_files, load_settings
    from generator.parallel import Runner
    from generator.sources import Source

    site = make_site(tmp_path / "site", {"gone.md": article()})
    config = load_config(site)
    path = config.content_dir / "gone.md"
    facts = FileFacts.of(path)
    assert facts is not None
    path.unlink()
    store = Cache(config.cache_dir, []).store(load_settings(config))
    files, errors = load_files(config, Runner(1), [Source("gone.md", facts)],
                               store, {})
    assert files == {}
    assert [str(e) for e in errors] == [
        "content/gone.md: cannot be read: No such file or directory"
    ]
