"""Fuzzing: whatever front matter and body a story has, `folio build` never crashes.

Hypothesis writes sites of one to three stories: front matter as YAML-ish text
(tokens YAML gives meaning to, strung together at random) or as random structures
dumped as YAML, with any type in any field, and Markdown-ish bodies. Each site is
built in this process; the build must either succeed (exit 0, with no payload live
in the output) or report content errors (exit 1, every error line naming a file
under content/). An exception escaping `folio`, a traceback or any other exit fails.

The run is derandomized (the same examples on every run, so CI is reproducible) and
does not shrink (a falsifying example is printed as found), so it stays bounded.
"""

from __future__ import annotations

import itertools
import re
import shutil
import traceback
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from test_hostile import assert_inert

from conftest import CONFIG, NOW, make_site, photo_bytes, run_folio

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
FUZZ_CONFIG = CONFIG + "search = false\n"
ERROR_HEADING = re.compile(r"^\d+ errors? found:$")
PAYLOADS = [
    '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "</script><!--", "]]>", "{{ 7*7 }}", "{% raw %}", "\u202egpj.exe", "\x00", "\x1b[31m",
]
STRANGE = [
    "", " ", "..", "../../outside", "/etc/passwd", "/", "//evil.example/", "a" * 300,
    "!!!", "-", "images/pic.jpg", "other", "story", "https://example.org/x", "9999-12-31",
    "0001-01-01", "2015-02-30", "2015-09-18T17:10:00-04:00", "1e400", "null", "~", "yes",
    "\ufeff", "\u0085", "\u2028", "Zürich", "Москва", "İstanbul",
]


# --- YAML-ish text --------------------------------------------------------------------------

YAML_TOKENS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "#", "&a", "*a", "!", "!!str ", "!!binary ",
    "!!python/object ", "|", ">", "'", '"', "%", "@", "`", "?", "\n", "\n  ", "\t", " ", "\\",
    "---", "...", "<<: ", "title", "byline", "date", "tags", "photo", "related", "slug",
    "aliases", "corrections", "draft", "src", "url", "text", "2015-09-18", "T17:10:00", "-04:00",
    "true", "null", "~", "0x1F", "1e9", ".nan", "word", "Zürich", "\u202e", "\x00", "\x85",
    "\ufeff", "é", "<script>", "javascript:", "..", "/",
]
REQUIRED = "title: A headline\nbyline: Jane Reporter\ndate: 2020-05-01T09:30:00-04:00\n"
BODY_TOKENS = [
    "# ", "## ", "*", "**", "_", "[", "](", ")", "![", "<", ">", "</", "!", "`", "```\n", "~~~",
    "\n", "\n\n", "- ", "1. ", "> ", "|", "| --- |", "---", "{", "}", "{#id", " .cls", "}",
    " onclick=alert(1)", "=", "&amp;", "&#0;", "&#x202e;", "javascript:alert(1)",
    "http://example.org/", "/tags/syria/", "<script>alert(1)</script>", "<img src=x onerror=1>",
    "[^1]", "[^1]: note", "~~", "\\", "word", " ", "\t", "    ", "\x00", "\u202e", "\r", "\r\n",
    "<!--", "-->", "<![CDATA[", "]]>", "{{ x }}", "{% if %}", "[x]: /y", "[x]",
]


def tokens(choices: list[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(choices), max_size=max_size).map("".join)


yamlish = st.one_of(tokens(YAML_TOKENS, 60), tokens(YAML_TOKENS, 30).map(REQUIRED.__add__))
bodies = st.one_of(st.just("Body."), tokens(BODY_TOKENS, 80),
                   st.text(max_size=200))


# --- Random structures dumped as YAML ----------------------------------------------------------

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.dates(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(UTC))),
    st.sampled_from(PAYLOADS + STRANGE), st.text(max_size=30),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["slug", "title", "url", "src", "alt", "caption",
                                         "credit", "date", "text", "x"]), inner, max_size=4),
    ),
    max_leaves=10,
)
moments = st.one_of(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2026, 1, 1),
                                 timezones=st.one_of(st.none(), st.just(UTC))),
                    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)))
words = st.from_regex(r"[A-Za-zÀ-ÿ][\w ,.'!?&-]{0,30}", fullmatch=True)
marked = st.builds("{} {}".format, words, st.sampled_from(PAYLOADS))
texts = st.one_of(words, marked)
people = st.lists(st.one_of(st.sampled_from(["Jane Reporter", "Reuters", "José Álvarez"]), marked),
                  min_size=1, max_size=3)
VALID: dict[str, st.SearchStrategy[Any]] = {
    "title": texts,
    "byline": st.one_of(people, texts),
    "date": moments,
    "dek": texts,
    "section": st.one_of(st.sampled_from(["News", "World", "Zürich"]), marked),
    "publication": texts,
    "tags": st.lists(st.one_of(st.sampled_from(["Syria", "syria", "Zürich", "Москва"]), marked),
                     max_size=4),
    "photo": st.fixed_dictionaries(
        {"src": st.sampled_from(["images/pic.jpg", "https://images.example.net/a.jpg"])},
        optional=dict.fromkeys(("alt", "caption", "credit"), texts)),
    "related": st.lists(st.one_of(
        st.just({"slug": "other"}), st.just("other"),
        st.fixed_dictionaries({"title": texts, "url": st.sampled_from(
            ["https://example.org/", 'https://example.org/?q="><script>alert(1)</script>'])}),
    ), max_size=3),
    "slug": st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}", fullmatch=True),
    "draft": st.just(False),
    "aliases": st.lists(st.from_regex(r"/old/[a-z0-9]{1,12}/", fullmatch=True), max_size=2),
    "corrections": st.lists(st.fixed_dictionaries({"date": moments, "text": texts}), max_size=2),
}
REQUIRED_FIELDS = ("title", "byline", "date")
ODD = st.one_of(st.sampled_from(PAYLOADS + STRANGE), st.sampled_from(STRANGE), values)
valid_front_matter = st.fixed_dictionaries(
    {name: VALID[name] for name in REQUIRED_FIELDS},
    optional={name: VALID[name] for name in VALID if name not in REQUIRED_FIELDS},
)
mutations = st.lists(st.tuples(st.sampled_from([*VALID, "updated", "extra", "<script>"]), ODD),
                     max_size=2)
mutant_front_matter = st.builds(lambda meta, changes: {**meta, **dict(changes)},
                                valid_front_matter, mutations)
random_front_matter = st.dictionaries(
    st.sampled_from([*VALID, "updated", "extra"]), st.one_of(VALID["title"], ODD), max_size=8)
front_matter = st.one_of(mutant_front_matter, mutant_front_matter, random_front_matter)


def dumped(meta: dict[str, Any]) -> str:
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)


# --- The sites and the check -----------------------------------------------------------------

stories_as_text = st.lists(st.tuples(yamlish, bodies), min_size=1, max_size=3)
stories_as_data = st.lists(st.tuples(front_matter.map(dumped), bodies), min_size=1, max_size=2)
raw_files = st.lists(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
                     min_size=1, max_size=2)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz")


_numbers = itertools.count()


def build_stories(root: Path, stories: list[tuple[str, str]] | list[bytes]) -> None:
    """Write a site holding `stories` and a good story beside them; build it; check."""
    files: dict[str, str | bytes] = {
        "other.md": f"---\n{REQUIRED}slug: other\n---\nA good story.\n",
        "images/pic.jpg": photo_bytes(40, 30),
    }
    for number, story in enumerate(stories):
        files[f"story-{number}.md"] = (
            story if isinstance(story, bytes) else f"---\n{story[0]}\n---\n{story[1]}\n"
        )
    site = make_site(root / f"site{next(_numbers)}", files, FUZZ_CONFIG)
    try:
        try:
            result = run_folio("build", "--site", site, "--now", NOW, "--quiet", "--jobs", "1")
        except Exception:
            pytest.fail(f"folio build raised:\n{traceback.format_exc()}")
        assert "Traceback" not in result.err, result.err
        event(f"exit {result.code}")
        if result.code == 0:
            assert_inert(site / "output")
            return
        assert result.code == 1, f"exit {result.code}:\n{result.err}"
        lines = result.err.splitlines()
        assert lines and ERROR_HEADING.match(lines[0]), result.err
        strays = [line for line in lines[1:] if not line.startswith("  content/")]
        assert not strays, f"error lines that name no file under content/:\n{result.err}"
    finally:
        shutil.rmtree(site, ignore_errors=True)


@FUZZ
@given(stories=stories_as_text)
def test_yamlish_front_matter_never_crashes(sites: Path, stories: list[tuple[str, str]]) -> None:
    build_stories(sites, stories)


@settings(FUZZ, max_examples=150)
@given(stories=stories_as_data)
def test_random_structures_never_crash(sites: Path, stories: list[tuple[str, str]]) -> None:
    build_stories(sites, stories)


@settings(FUZZ, max_examples=50)
@given(files=raw_files)
def test_random_bytes_never_crash(sites: Path, files: list[bytes]) -> None:
    build_stories(sites, files)
