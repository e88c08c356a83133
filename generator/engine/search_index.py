"""Pagefind run over the story pages of the tree a build stages, shard by shard,
and every file it wrote checked.

Each shard of the index (site/search.py says which stories it holds) is an
index of its own in `pagefind/<shard>/`, made by one run of Pagefind over a
scratch folder holding links to that shard's story pages only (at their paths,
so the URLs come out right); `pagefind/shards.json` names the shards, for the
/search/ page to merge, each with a digest of its stories' files. A shard is
carried over from `output/` when it holds the same stories and none of them
reads differently to Pagefind (what it indexes of a page: see `_SearchedParts`);
only the others are indexed again. The index is written into the staging
folder before it is swapped in, so a failed index leaves the previous output
untouched.

Pagefind does not report a failed write (a full disk, an I/O error): it exits
0 with a truncated file. So every file it wrote is checked before the swap:
compressed index files must decompress whole, its entry file must parse and
name files that are there, and its scripts and styles, the same for every
site, must equal those of a second run over a one-page site.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import zlib
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path

from ..site.digests import digest
from ..site.errors import FolioError
from ..site.search import SEARCH_FOLDER
from .lifeline import child_dies_with_this_process
from .write import Staging

MANIFEST = "shards.json"
"""In `pagefind/`: every shard's name and the digest of its stories' files."""
_ENTRY = "pagefind-entry.json"
_GZIP_MAGIC = b"\x1f\x8b"
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
           "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
           "pagefind-highlight.js")
"""Pagefind's ready-made interfaces, which /search/ does not use: kept once per shard,
they would be most of a small shard's bytes."""
_COMPARED = 100
"""Most changed pages of one shard read to see whether Pagefind would read them
differently; past that, indexing the shard again costs less."""


def stage_search_index(
    shards: Mapping[str, tuple[str, ...]],
    current: Mapping[str, str],
    staging: Staging,
    scratch: Path,
) -> Callable[[Path], None] | None:
    """Carry over from `output/` (whose files' keys are `current`) every shard Pagefind
    would make alike; the step that indexes the others in the staged tree and writes
    the manifest. None when there is nothing to index (`shards` is empty)."""
    if not shards:
        staging.clear_folder(SEARCH_FOLDER)
        return None
    digests = {name: digest("search shard", *sorted(pages)) for name, pages in shards.items()}
    built = _manifest(staging.output_dir / SEARCH_FOLDER / MANIFEST) if current else {}
    _clear_all_but(staging.root / SEARCH_FOLDER, set(shards))
    redo = {name: pages for name, pages in shards.items()
            if not (built.get(name) == digests[name]
                    and _reads_alike(pages, current, staging)
                    and staging.take_folder(f"{SEARCH_FOLDER}/{name}", _ENTRY))}

    def index(root: Path) -> None:
        build_search_index(root, redo, scratch)
        languages = {name: _languages(root / SEARCH_FOLDER / name) for name in digests}
        _write_manifest(root / SEARCH_FOLDER, {"shards": digests, "languages": languages},
                        staging.output_dir / SEARCH_FOLDER)

    return index


def build_search_index(root: Path, shards: Mapping[str, tuple[str, ...]],
                       scratch: Path) -> None:
    """Index the story pages of each of `shards` (files under `root`) into
    `root/pagefind/<shard>/`, and check every file Pagefind wrote (the one-page site
    it is checked against, and each shard's pages, go in folders made under `scratch`)."""
    languages: set[str] = set()
    folder = root / SEARCH_FOLDER
    for name, pages in shards.items():
        shutil.rmtree(folder / name, ignore_errors=True)
        with _scratch_site(scratch, "search-shard-") as made:
            site = Path(made)
            for page in pages:
                _link_or_copy(root / page, site / page)
            _run_pagefind(site, folder / name, name)
        for unused in _UNUSED:
            (folder / name / unused).unlink(missing_ok=True)
        _sort_languages(folder / name)
        languages.update(_languages(folder / name))
    if not shards:
        return
    with _scratch_site(scratch, "search-check-") as made:
        reference = Path(made)
        for language in sorted(languages):
            sample = reference / language / "index.html"
            sample.parent.mkdir()
            sample.write_text(f'<html lang="{language}"><body data-pagefind-body>'
                             "<p>reference</p></body></html>", encoding="utf-8")
        _run_pagefind(reference, reference / SEARCH_FOLDER, "reference")
        for name in shards:
            verify_search_index(folder / name, reference / SEARCH_FOLDER)


def verify_search_index(folder: Path, reference: Path) -> None:
    """Raise FolioError naming the first file of Pagefind's `folder` that is damaged;
    `reference` is its output for a one-page site of the same languages."""
    _languages(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        problem = _damage(path, reference / path.relative_to(folder))
        if problem:
            shown = path.relative_to(folder.parent.parent)
            raise _failure(f"it wrote a damaged file {shown} ({problem}; is the disk full?)")


def _scratch_site(scratch: Path, prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A folder made for one run of Pagefind, removed after it."""
    return tempfile.TemporaryDirectory(prefix=prefix, dir=scratch, ignore_cleanup_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system (--output elsewhere)
        shutil.copyfile(source, target)


def _clear_all_but(folder: Path, shards: set[str]) -> None:
    """Remove from the staged index folder whatever is not one of `shards`' folders."""
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name in shards:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()


def _manifest(path: Path) -> dict[str, str]:
    """The shards `output/` has and their digests; none when it has no readable manifest."""
    try:
        shards = json.loads(path.read_bytes())["shards"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return shards if isinstance(shards, dict) else {}


def _write_manifest(folder: Path, manifest: Mapping[str, object], current: Path) -> None:
    """Write the manifest (each shard's digest, and the languages of its pages, which
    the search page of a language picks its shards by), or link `output/`'s when it is
    the same."""
    data = (json.dumps(manifest, separators=(",", ":")) + "\n").encode()
    folder.mkdir(exist_ok=True)
    target = folder / MANIFEST
    try:
        if (current / MANIFEST).read_bytes() == data:
            os.link(current / MANIFEST, target)
            return
    except OSError:
        pass
    target.write_bytes(data)
    if target.stat().st_size != len(data):
        raise _failure(f"{SEARCH_FOLDER}/{MANIFEST} was cut short (is the disk full?)")


def _reads_alike(pages: tuple[str, ...], current: Mapping[str, str], staging: Staging) -> bool:
    """Whether Pagefind reads every page of a shard as in `output/`: its key is the same,
    or its bytes changed outside what Pagefind indexes (a link to a newer story)."""
    changed = [name for name in pages if current.get(name) != staging.wanted.get(name)]
    if len(changed) > _COMPARED:
        return False
    return all(_searched(staging.output_dir / name) == _searched(staging.root / name)
               for name in changed)


def _searched(page: Path) -> tuple[object, ...] | None:
    try:
        text = page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    parser = _SearchedParts()
    parser.feed(text)
    parser.close()
    return tuple(parser.parts)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "param", "source", "track", "wbr"})
_OUT, _IN, _IGNORED = 0, 1, 2


class _SearchedParts(HTMLParser):
    """All of a page Pagefind may read, as a list of its tags and text: the attributes
    of `<html>` (the language), `<title>`, the first `<h1>` and `<img>` (default title
    and image), every element marked `data-pagefind-*` with all it holds, and all
    inside `data-pagefind-body` but what is marked `data-pagefind-ignore`. More than
    Pagefind reads is harmless: a page then only looks changed when it is not."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[object] = []
        self._open: list[tuple[str, int]] = []
        self._firsts = {"h1", "img"}

    def _mode(self) -> int:
        return self._open[-1][1] if self._open else _OUT

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        marked = any(name.startswith("data-pagefind-") for name in names)
        first = tag in self._firsts
        self._firsts.discard(tag)
        mode = self._mode()
        if "data-pagefind-ignore" in names:
            mode = _IGNORED
        elif "data-pagefind-body" in names or (marked or first or tag == "title"):
            mode = _IN
        if mode == _IN or marked or tag == "html":
            self.parts.append((tag, tuple(attrs)))
        if tag not in _VOID:
            self._open.append((tag, mode))

    def handle_endtag(self, tag: str) -> None:
        if self._mode() == _IN:
            self.parts.append(f"/{tag}")
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self._mode() == _IN:
            self.parts.append(data)


def _damage(path: Path, twin: Path) -> str:
    data = path.read_bytes()
    if not data:
        return "empty"
    if data.startswith(_GZIP_MAGIC):
        return _gzip_damage(data)
    if path.name == _ENTRY:
        return ""  # parsed, and its files found, by _languages
    if not twin.is_file():
        return "not a file Pagefind makes"
    return "" if twin.read_bytes() == data else "cut short or altered"


def _gzip_damage(data: bytes) -> str:
    decompressor = zlib.decompressobj(wbits=31)
    try:
        decompressor.decompress(data)
    except zlib.error as exc:
        return f"does not decompress: {exc}"
    return "" if decompressor.eof and not decompressor.unused_data else "cut short"


def _sort_languages(folder: Path) -> None:
    """Pagefind lists a shard's languages in no fixed order; sorted, the same pages give
    the same bytes (a damaged entry is left for `_languages` to report)."""
    path = folder / _ENTRY
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        return
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")


def _languages(folder: Path) -> list[str]:
    """The languages Pagefind's entry file lists, each with its files present."""
    shown = f"{SEARCH_FOLDER}/{folder.name}"
    try:
        entry = json.loads((folder / _ENTRY).read_text(encoding="utf-8"))
        languages = entry["languages"]
        for language, facts in languages.items():
            wasm = facts["wasm"] or "unknown"  # as pagefind.js falls back, for any language
            for name in (f"pagefind.{facts['hash']}.pf_meta", f"wasm.{wasm}.pagefind"):
                if not (folder / name).is_file():
                    raise _failure(f"{shown}/{name} of language {language} is missing")
        return sorted(languages)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError,
            OSError) as exc:
        raise _failure(f"it wrote a damaged file {shown}/{_ENTRY} ({exc}; "
                       "is the disk full?)") from None


def _run_pagefind(site: Path, output: Path, shard: str) -> None:
    """Run the Pagefind binary itself in `site`, writing to `output` (in `site`, so that
    no pagefind.yml of the caller's folder changes the index), with the default signal
    actions: through `python -m pagefind` it inherits this interpreter's ignored
    SIGXFSZ, and a file size limit then cuts its files short without a word."""
    import subprocess  # here: most builds have no search index to make

    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise _failure("its binary is not installed (pip install 'pagefind[bin]')")
    command = [str(binary), "--site", ".", "--silent", "--output-path", str(output)]
    try:
        result = subprocess.run(command, cwd=site, capture_output=True, text=True,
                                check=False, errors="replace",
                                preexec_fn=child_dies_with_this_process())
    except OSError as exc:
        raise _failure(f"{binary}: {exc.strerror}") from None
    if result.returncode != 0:
        raise _failure(f"shard {shard}: " + _why(result.returncode,
                                                  result.stderr or result.stdout))


def _why(status: int, output: str) -> str:
    """What Pagefind's exit `status` and last line of `output` say."""
    if status > 0:
        last = _last_line(output)
        return f"exit status {status}" + (f": {last}" if last else "")
    name = _signal_name(-status)
    if -status == signal.SIGKILL:
        return f"killed by {name} (out of memory, if the kernel's OOM killer sent it)"
    if -status == signal.SIGXFSZ:
        return f"killed by {name}: a file reached the size limit (ulimit -f)"
    return f"killed by {name}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _failure(reason: str) -> FolioError:
    return FolioError(
        f"search index: Pagefind failed: {reason}; "
        "set search = false in folio.toml to build without search"
    )


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else ""
