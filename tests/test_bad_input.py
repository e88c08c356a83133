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
from hypothesis import given
from hypothesis import strategies as st

from generator.site import urls

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
    from generator.engine.cache import Cache
    from generator.engine.loading import load_files, load_settings
    from generator.engine.parallel import Runner
    from generator.site.config import load_config
    from generator.site.sources import FileFacts, Source

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


# --- folio.toml ------------------------------------------------------------------------------

SITE_CONFIG = 'title = "Test Gazette"\nbase_url = "https://gazette.example.org/"\n'
"""folio.toml in the cases below: a case's line replaces the one for its key, or comes third."""


def break_config(site_factory: Callable[..., Path], config: str) -> Result:
    """Build GOOD, replace folio.toml by `config`, rebuild: exit 1, output/ untouched."""
    site = site_factory(GOOD, config=SITE_CONFIG)
    assert build(site).code == 0
    output = tree(site / "output")
    (site / "folio.toml").write_text(config, encoding="utf-8")
    result = build(site)
    assert result.code == 1, f"exit {result.code}, stderr:\n{result.err}"
    assert "Traceback" not in result.err
    assert tree(site / "output") == output, "a failed build changed output/"
    return result


def toml_case(name: str, line: str, key: str, fragment: str) -> object:
    """`line` replaces the site's own line for `key` (or is added) as line 3."""
    kept = "".join(f"{old}\n" for old in SITE_CONFIG.splitlines() if not old.startswith(key))
    return pytest.param(f"{kept}{line}\n", key, fragment, kept.count("\n") + 1, id=name)


CONFIG_CASES = [
    toml_case("base-url-query", 'base_url = "https://x.org/?utm_source=feed"', "base_url",
              "with no ?query or #fragment"),
    toml_case("base-url-ftp", 'base_url = "ftp://x.org/"', "base_url",
              "expected an absolute http(s) URL such as https://news.example.org/"),
    toml_case("base-url-underscore-host", 'base_url = "https://news_room.example.org/"',
              "base_url", "'news_room.example.org' is not a valid host name"),
    toml_case("base-url-ip-out-of-range", 'base_url = "https://300.1.1.1/"', "base_url",
              "'300.1.1.1' is not a valid host name"),
    toml_case("base-url-bad-punycode", 'base_url = "https://xn--zz.example/"', "base_url",
              "'xn--zz.example' is not a valid host name"),
    toml_case("base-url-no-host", 'base_url = "https://:8080/"', "base_url",
              "is not a valid host name"),
    toml_case("base-url-user-only", 'base_url = "https://editor@x.org/"', "base_url",
              "must not hold a user name or password"),
    toml_case("base-url-hidden-path", 'base_url = "https://x.org/.archive/"', "base_url",
              "its path must not have parts starting with '.'"),
    toml_case("language-empty", 'language = ""', "language", "expected a BCP 47 language tag"),
    toml_case("language-a-word", 'language = "english"', "language", "got 'english'"),
    toml_case("theme-empty", 'theme = ""', "theme", "expected the name of a folder under themes/"),
    toml_case("theme-nested-path", 'theme = "paper/../../x"', "theme", "got 'paper/../../x'"),
    toml_case("theme-hidden", 'theme = ".git"', "theme", "got '.git'"),
    toml_case("theme-windows-path", 'theme = "C:\\\\themes\\\\paper"', "theme",
              "expected the name of a folder under themes/"),
    toml_case("timezone-factory", 'timezone = "Factory"', "timezone",
              "expected an IANA zone such as America/New_York, got 'Factory'"),
    toml_case("timezone-posix-rule", 'timezone = "EST5EDT,M3.2.0,M11.1.0"', "timezone",
              "expected an IANA zone"),
    toml_case("title-tab", 'title = "\\t"', "title", "must not be empty"),
    toml_case("permalink-empty-field", 'permalink = "/{}/{slug}/"', "permalink",
              "unknown field ['']"),
    toml_case("permalink-index", 'permalink = "/{slug[0]}/{slug}/"', "permalink",
              "unknown field ['slug[0]']"),
    toml_case("permalink-device-with-extension", 'permalink = "/aux.html/{slug}/"', "permalink",
              "has the part 'aux.html', a device name on Windows"),
    toml_case("default-section-device", 'default_section = "Nul"', "default_section",
              "'Nul' makes the URL part 'nul', a device name on Windows"),
    toml_case("default-section-no-letters", 'default_section = "???"', "default_section",
              "has no letters or digits"),
    toml_case("max-bylines-zero", "max_bylines = 0", "max_bylines", "must be at least 1"),
    toml_case("max-aliases-text", 'max_aliases = "many"', "max_aliases", "expected int"),
]


@pytest.mark.parametrize(("config", "key", "fragment", "line"), CONFIG_CASES)
def test_bad_settings_name_folio_toml_the_key_and_the_line(
    site_factory: Callable[..., Path], config: str, key: str, fragment: str, line: int
) -> None:
    result = break_config(site_factory, config)
    Expect("folio.toml", key, fragment, line).assert_in(result.err)


@pytest.mark.parametrize(("line", "canonical"), [
    ('base_url = "https://münchen.example/"', "https://münchen.example/2020/05/01/story/"),
    ('base_url = "http://[::1]:8000/news/"', "http://[::1]:8000/news/2020/05/01/story/"),
    ('base_url = "https://192.0.2.7/"', "https://192.0.2.7/2020/05/01/story/"),
    ('language = "pt-BR"', None),
    ('language = "sr-Latn"', None),
    ('timezone = "Etc/GMT+5"', None),
    ('timezone = "US/Eastern"', None),
])
def test_unusual_but_valid_settings_build(
    site_factory: Callable[..., Path], line: str, canonical: str | None
) -> None:
    key = line.split(" ")[0]
    kept = "".join(f"{old}\n" for old in SITE_CONFIG.splitlines() if not old.startswith(key))
    site = site_factory(GOOD, config=f"{kept}{line}\n")
    result = build(site)
    assert result.code == 0, result.err
    page = BeautifulSoup((site / "output/2020/05/01/story/index.html").read_bytes(),
                         "html.parser")
    if canonical:
        link = page.select_one("link[rel=canonical]")
        assert link is not None and link["href"] == canonical
    if key == "language":
        assert page.html is not None and page.html["lang"] == line.split('"')[1]


def test_a_named_theme_folder_is_used(site_factory: Callable[..., Path]) -> None:
    site = site_factory(GOOD, config=SITE_CONFIG + 'theme = "paper-2"\n')
    (site / "themes/paper-2/static").mkdir(parents=True)
    (site / "themes/paper-2/static/paper.css").write_text("body { color: red }", "utf-8")
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/paper.css").read_text("utf-8") == "body { color: red }"


# --- Static files ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fragment"), [
    (".well-known/security.txt", "its path has the part '.well-known'"),
    ("files/.htaccess/x.txt", "its path has the part '.htaccess'"),
    ("CON.css", "its path has the part 'CON.css', a device name on Windows"),
    ("downloads/lpt9/report.pdf", "its path has the part 'lpt9'"),
])
def test_static_files_no_host_can_keep_are_refused(
    site_factory: Callable[..., Path], name: str, fragment: str
) -> None:
    site = site_factory(GOOD)
    path = site / "static" / name
    path.parent.mkdir(parents=True)
    path.write_text("x", "utf-8")
    result = build(site)
    assert result.code == 1, result.err
    assert not (site / "output").exists()
    Expect(f"static/{name}", None, fragment).assert_in(result.err)


def test_a_static_file_that_differs_from_the_themes_only_in_case_names_both(
    site_factory: Callable[..., Path],
) -> None:
    site = site_factory(GOOD)
    (site / "static/css").mkdir(parents=True)
    (site / "static/css/Folio.css").write_text("x", "utf-8")
    result = build(site)
    assert result.code == 1
    assert re.search(r"^  static/css/Folio\.css: and \S*themes/default/static/css/folio\.css "
                     r"are one file on hosts that ignore case and accents", result.err, re.M), \
        result.err


def test_a_static_file_of_the_same_name_still_replaces_the_themes(
    site_factory: Callable[..., Path],
) -> None:
    site = site_factory(GOOD)
    (site / "static/css").mkdir(parents=True)
    (site / "static/css/folio.css").write_text("/* the site's own */", "utf-8")
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/css/folio.css").read_text("utf-8") == "/* the site's own */"


# --- Names no host can store -----------------------------------------------------------------

WINDOWS_DEVICES = ["con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                   *(f"lpt{n}" for n in range(1, 10))]


@given(device=st.sampled_from(WINDOWS_DEVICES),
       capitals=st.lists(st.booleans(), min_size=4, max_size=4),
       extension=st.sampled_from(["", ".txt", ".tar.gz", ".", " .html"]),
       where=st.sampled_from(["/{}", "/{}/", "/old/{}/page/", "/old/{}"]))
def test_every_spelling_of_a_device_name_is_refused_as_a_path(
    device: str, capitals: list[bool], extension: str, where: str
) -> None:
    name = "".join(c.upper() if up else c for c, up in zip(device, capitals, strict=False))
    with pytest.raises(ValueError, match="a device name on Windows"):
        urls.file_name(where.format(name + extension))


@pytest.mark.parametrize("name", ["console", "com10", "lpt", "auxiliary", "nul-1", "con-ed",
                                  "prn2", "com", "x.con", "conference.txt"])
def test_names_that_only_start_like_a_device_are_paths(name: str) -> None:
    assert urls.file_name(f"/old/{name}/") == f"old/{name}/index.html"
