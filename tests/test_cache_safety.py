"""The build cache never runs what it reads, and any damage to it costs a rebuild only."""

from __future__ import annotations

import marshal
import os
import pickle
import shlex
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from generator.engine import cache
from generator.engine.cache import COMPILED_TEMPLATES, PAGES_FILE, PLAN_FILE, PLAN_PAGES, STORE_FILE

from conftest import NOW, article, make_site, run_folio, tree

OLD_NAMES = ("pages.pickle", "plan.pickle", "plan-pages.bin", "store-5.sqlite",
             "templates/0123456789abcdef-0a1b2c.cache")
NEW_NAMES = (PAGES_FILE, PLAN_FILE, PLAN_PAGES, STORE_FILE)


class Touch:
    """Unpickled, it runs a shell command that creates `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


@pytest.fixture(autouse=True)
def own_signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test with a key of its own, as another user would have."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache.signing_key.cache_clear()
    yield tmp_path / "user-cache" / "folio" / "signing-key"
    cache.signing_key.cache_clear()


def small_site(root: Path) -> Path:
    stories = {
        f"story-{n}.md": article(f"Body of story {n}.", title=f"Story {n}", tags=["Syria"],
                                 date=f"2020-05-0{n}T09:30:00-04:00")
        for n in range(1, 8)
    }
    return make_site(root, stories)


def build(site: Path) -> str:
    result = run_folio("build", "--site", site, "--now", NOW, "--jobs", "1")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out + result.err


def edit(site: Path, old: str, new: str) -> None:
    path = site / "content" / "story-4.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def clean_output(site: Path, into: Path) -> dict[str, bytes]:
    shutil.copytree(site, into, ignore=shutil.ignore_patterns(".folio-cache", "output",
                                                              ".output.previous"))
    build(into)
    return tree(into / "output")


def template_entries(site: Path) -> list[Path]:
    return sorted((site / ".folio-cache" / COMPILED_TEMPLATES).glob("*.cache"))


def test_the_payload_runs_when_unpickled(tmp_path: Path) -> None:
    """The payload the tests below hide in the cache does create its marker."""
    marker = tmp_path / "MARKER"
    pickle.loads(pickle.dumps(Touch(marker)))
    assert marker.exists()


@pytest.mark.parametrize("name", OLD_NAMES + NEW_NAMES)
def test_a_pickle_in_the_cache_never_runs(tmp_path: Path, name: str) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(Touch(marker))
    target = site / ".folio-cache" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(payload)
    edit(site, "Body of story 4.", "A new body of story 4.")
    build(site)
    assert not marker.exists()
    assert not (site / ".folio-cache" / "pages.pickle").exists()
    assert not (site / ".folio-cache" / "templates").exists()
    assert tree(site / "output") == clean_output(site, tmp_path / "clean")


def test_a_pickle_in_a_row_of_the_store_never_runs(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(Touch(marker))
    with sqlite3.connect(site / ".folio-cache" / STORE_FILE) as db:
        db.execute("UPDATE source SET known = ?, loaded = ?", (payload, payload))
        db.execute("UPDATE link SET targets = ?", (payload,))
    edit(site, "title: Story 4", "title: Story four")
    summary = build(site)
    assert not marker.exists()
    assert f"Notice: build cache {STORE_FILE} is damaged" in summary
    assert tree(site / "output") == clean_output(site, tmp_path / "clean")


def test_compiled_templates_are_signed_with_a_key_only_the_user_can_read(
    tmp_path: Path, own_signing_key: Path
) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    assert own_signing_key.stat().st_mode & 0o777 == 0o600
    assert template_entries(site)


def tampered_entries(site: Path, marker: Path, how: str) -> None:
    """Every compiled template replaced by code that creates `marker` when loaded."""
    magic = jinja2.bccache.bc_magic
    evil = marshal.dumps(compile(f"import os\nos.system('touch {marker}')\n", "<evil>", "exec"))
    for entry in template_entries(site):
        data = entry.read_bytes()
        signature, code = data[:32], data[32:]
        assert code.startswith(magic)
        if how == "pickled checksum":
            code = magic + pickle.dumps(Touch(marker))
        else:  # Jinja's checksum of the source kept, so only the signature can stop it
            checksum_end = len(magic) + len(pickle.dumps(pickle.loads(code[len(magic):])))
            code = code[:checksum_end] + evil
        if how == "signed with another key":
            signature = os.urandom(32)
        entry.write_bytes(signature + code)


@pytest.mark.parametrize("how", ["pickled checksum", "code swapped", "signed with another key"])
def test_a_tampered_compiled_template_never_runs(tmp_path: Path, how: str) -> None:
    site = small_site(tmp_path / "site")
    build(site)
    marker = tmp_path / "MARKER"
    tampered_entries(site, marker, how)
    edit(site, "Body of story 4.", "A new body of story 4.")
    build(site)
    assert not marker.exists()
    assert tree(site / "output") == clean_output(site, tmp_path / "clean")


def offsets(size: int) -> list[int]:
    """Where to garble a file: every 4 KiB, and every fourth of its first and last 64 bytes."""
    edges = [*range(0, min(size, 64), 4), *range(max(0, size - 64), size, 4)]
    return sorted({*range(0, size, 4096), *edges})


def garbled(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("name", "change"), [
    (PAGES_FILE, "body"), (PLAN_FILE, "body"), (PLAN_PAGES, "body"),
    (STORE_FILE, "body"), (STORE_FILE, "title"), (COMPILED_TEMPLATES, "body"),
])
def test_a_garbled_byte_anywhere_costs_a_rebuild_only(tmp_path: Path, name: str,
                                                      change: str) -> None:
    """A body edit takes the quick path (plan, its pages, a few rows); a title edit the
    whole pipeline (every row of the store)."""
    old, new = (("Body of story 4.", "A new body of story 4.") if change == "body"
                else ("title: Story 4", "title: Story four"))
    reference = small_site(tmp_path / "reference")
    build(reference)
    edit(reference, old, new)
    expected = clean_output(reference, tmp_path / "clean")
    probe = small_site(tmp_path / "probe")
    build(probe)
    target = template_entries(probe)[0] if name == COMPILED_TEMPLATES else (
        probe / ".folio-cache" / name)
    places = offsets(target.stat().st_size)
    assert len(places) >= 16
    for count, offset in enumerate(places):
        site = small_site(tmp_path / f"site-{count}")
        build(site)
        victim = site / target.relative_to(probe)
        garbled(victim, min(offset, victim.stat().st_size - 1))
        edit(site, old, new)
        summary = build(site)
        assert tree(site / "output") == expected, (offset, summary)
        shutil.rmtree(site)
