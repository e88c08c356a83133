"""Pagefind run over the tree a build stages, and every file it wrote checked.

Article pages mark what is indexed (`data-pagefind-body`) and what is not
(`data-pagefind-ignore`); the index is written into the staging folder before
it is swapped in, so a failed index leaves the previous output untouched.

Pagefind does not report a failed write (a full disk, an I/O error): it exits
0 with a truncated file. So every file it wrote is checked before the swap:
compressed index files must decompress whole, its entry file must parse and
name files that are there, and its scripts and styles, the same for every
site, must equal those of a second run over a one-page site.
"""

from __future__ import annotations

import json
import signal
import tempfile
import zlib
from pathlib import Path

from ..site.errors import FolioError
from ..site.search import SEARCH_FOLDER
from .lifeline import child_dies_with_this_process

_ENTRY = "pagefind-entry.json"
_GZIP_MAGIC = b"\x1f\x8b"


def build_search_index(site: Path, scratch: Path) -> None:
    """Index the built site in `site` with Pagefind, writing `site/pagefind/`, and
    check every file it wrote (the one-page site it is checked against goes in a
    folder made under `scratch`)."""
    _run_pagefind(site)
    languages = _languages(site / SEARCH_FOLDER)
    with tempfile.TemporaryDirectory(prefix="search-check-", dir=scratch,
                                     ignore_cleanup_errors=True) as scratch_site:
        reference = Path(scratch_site)
        for language in languages:
            page = reference / language / "index.html"
            page.parent.mkdir()
            page.write_text(f'<html lang="{language}"><body data-pagefind-body>'
                            "<p>reference</p></body></html>", encoding="utf-8")
        _run_pagefind(reference)
        verify_search_index(site / SEARCH_FOLDER, reference / SEARCH_FOLDER)


def verify_search_index(folder: Path, reference: Path) -> None:
    """Raise FolioError naming the first file of Pagefind's `folder` that is damaged;
    `reference` is its output for a one-page site of the same languages."""
    _languages(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        problem = _damage(path, reference / path.relative_to(folder))
        if problem:
            raise _failure(f"it wrote a damaged file {path.relative_to(folder.parent)} "
                           f"({problem}; is the disk full?)")


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


def _languages(folder: Path) -> list[str]:
    """The languages Pagefind's entry file lists, each with its files present."""
    try:
        entry = json.loads((folder / _ENTRY).read_text(encoding="utf-8"))
        languages = entry["languages"]
        for language, facts in languages.items():
            wasm = facts["wasm"] or "unknown"  # as pagefind.js falls back, for any language
            for name in (f"pagefind.{facts['hash']}.pf_meta", f"wasm.{wasm}.pagefind"):
                if not (folder / name).is_file():
                    raise _failure(f"{SEARCH_FOLDER}/{name} of language {language} is missing")
        return sorted(languages)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise _failure(f"it wrote a damaged file {SEARCH_FOLDER}/{_ENTRY} ({exc}; "
                       "is the disk full?)") from None


def _run_pagefind(site: Path) -> None:
    """Run the Pagefind binary itself in `site` (so that no pagefind.yml of the caller's
    folder changes the index), with the default signal actions: through
    `python -m pagefind` it inherits this interpreter's ignored SIGXFSZ, and a file
    size limit then cuts its files short without a word."""
    import subprocess  # here: most builds have no search index to make

    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise _failure("its binary is not installed (pip install 'pagefind[bin]')")
    command = [str(binary), "--site", ".", "--silent", "--output-subdir", SEARCH_FOLDER]
    try:
        result = subprocess.run(command, cwd=site, capture_output=True, text=True,
                                check=False, errors="replace",
                                preexec_fn=child_dies_with_this_process())
    except OSError as exc:
        raise _failure(f"{binary}: {exc.strerror}") from None
    if result.returncode != 0:
        raise _failure(_why(result.returncode, result.stderr or result.stdout))


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
